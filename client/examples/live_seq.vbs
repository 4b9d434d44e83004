' Reading a sequence-lock publisher (Project CARS 2 / AMS2's mSequenceNumber) one whole frame at a time:
'   cscript //nologo live_seq.vbs [NAME]
' The publisher (tests/helpers/livepub.c in "seq" mode: plain Win32, no COM) keeps rewriting a 1024-byte
' frame at offset 64 of Local\NAME: uint32 frame number n, 254 uint32 fields (field k = n * 254 + k,
' modulo 2^32) and a checksum (n plus the fields, modulo 2^32). Its uint32 sequence counter at offset 0
' is odd while it writes. Snapshot(64, 1024, "seq:0") waits for an even counter, copies, and keeps the
' copy only if the counter is still the same: one whole frame, to read field by field at leisure.
' WaitChange(0) then waits in native code, using next to no CPU, until the publisher writes again.
' The script checks every field of every frame it takes, then sets the publisher's stop event.
Option Explicit

Const FRAMES = 100
Dim name, ready, r, snap, i, whole, torn, versions, first, others

name = "SharedRegionLiveSeq"
If WScript.Arguments.Count > 0 Then name = WScript.Arguments(0)

Function U32(x)                          ' a whole number below 2^53, modulo 2^32
    U32 = x - Int(x / 4294967296) * 4294967296
End Function

' Is the copy one whole frame? Every field and the checksum from its frame number.
Function IsWhole(snap)
    Dim n, fields, k, sum
    n = snap.ReadUInt32(0)
    fields = snap.ReadArray(4, 254, "UInt32")    ' one call for the 254 fields
    sum = n
    IsWhole = True
    For k = 0 To 253
        If fields(k) <> U32(n * 254 + k) Then IsWhole = False
        sum = sum + fields(k)
    Next
    If snap.ReadUInt32(1020) <> U32(sum) Then IsWhole = False
End Function

Set ready = CreateObject("SharedRegion.Region")    ' a region of our own, to wait on the publisher's event
ready.Create "", 8
ready.SignalName = "Local\" & name & "_Ready"     ' the publisher sets it once its first frame is in place
If Not ready.WaitSignal(30000) Then WScript.Echo "no publisher within 30 s" : WScript.Quit 1
Set r = CreateObject("SharedRegion.Region")
r.Open name, 1                                     ' ReadOnly
WScript.Echo "reading " & r.Name & ": a 1024-byte frame at offset 64, its sequence counter at offset 0"

whole = 0 : torn = 0 : versions = 0 : others = 0
For i = 1 To FRAMES
    Set snap = r.Snapshot(64, 1024, "seq:0")
    If IsWhole(snap) Then whole = whole + 1 Else torn = torn + 1
    If snap.Version = 2 * snap.ReadUInt32(0) Then versions = versions + 1
    If i = 1 Then first = snap.ReadUInt32(0)
    If snap.ReadUInt32(0) <> first Then others = others + 1
    r.WaitChange 0, 1000                 ' until the publisher starts its next frame
Next
WScript.Echo FRAMES & " snapshots under guard ""seq:0"": " & whole & " whole frames, " & torn & " torn"
If versions = FRAMES Then WScript.Echo "every Version was twice its frame's number (the counter is even between writes)"
If others > 0 Then WScript.Echo "the publisher kept writing: the snapshots hold different frames"

r.SignalName = "Local\" & name & "_Stop"         ' done: the publisher's stop event
r.Signal
If torn > 0 Or versions < FRAMES Or others = 0 Then WScript.Quit 1
