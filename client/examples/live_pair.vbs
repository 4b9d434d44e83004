' Reading a publisher that brackets each write with a begin and an end counter (rFactor 2's
' mVersionUpdateBegin and mVersionUpdateEnd):
'   cscript //nologo live_pair.vbs [NAME]
' The publisher (tests/helpers/livepub.c in "pair" mode: plain Win32, no COM) bumps the uint32 at
' offset 0 before it writes a frame and the uint32 at offset 4 after it, and keeps rewriting a 1024-byte
' frame at offset 64: uint32 frame number n, 254 uint32 fields (field k = n * 254 + k, modulo 2^32) and
' a checksum (n plus the fields, modulo 2^32). Snapshot(0, 1088, "pair:0,4") keeps a copy taken while
' begin = end and unchanged across it; Version is that value. The frame is decoded with one Unpack of
' the copy, and WaitChange(4) waits until the publisher finishes its next write.
Option Explicit

Const FRAMES = 100
Const FRAME_FORMAT = "<I254II"           ' struct { uint32 frame; uint32 field[254]; uint32 check; }
Dim name, ready, r, snap, f, i, k, sum, good, whole, torn, versions, first, others

name = "SharedRegionLivePair"
If WScript.Arguments.Count > 0 Then name = WScript.Arguments(0)

Function U32(x)                          ' a whole number below 2^53, modulo 2^32
    U32 = x - Int(x / 4294967296) * 4294967296
End Function

Set ready = CreateObject("SharedRegion.Region")    ' a region of our own, to wait on the publisher's event
ready.Create "", 8
ready.SignalName = "Local\" & name & "_Ready"     ' the publisher sets it once its first frame is in place
If Not ready.WaitSignal(30000) Then WScript.Echo "no publisher within 30 s" : WScript.Quit 1
Set r = CreateObject("SharedRegion.Region")
r.Open name, 1                                     ' ReadOnly
WScript.Echo "reading " & r.Name & ": begin counter at 0, end counter at 4, a 1024-byte frame at 64"

whole = 0 : torn = 0 : versions = 0 : others = 0
For i = 1 To FRAMES
    Set snap = r.Snapshot(0, 64 + 1024, "pair:0,4")
    f = snap.Unpack(64, FRAME_FORMAT)    ' f(0) the frame number, f(1) ... f(254) the fields, f(255) the checksum
    sum = f(0)
    good = True
    For k = 0 To 253
        If f(1 + k) <> U32(f(0) * 254 + k) Then good = False
        sum = sum + f(1 + k)
    Next
    If f(255) <> U32(sum) Then good = False
    ' The copy holds the counters too: begin = end = Version.
    If snap.ReadUInt32(0) <> snap.Version Or snap.ReadUInt32(4) <> snap.Version Then good = False
    If good Then whole = whole + 1 Else torn = torn + 1
    If snap.Version = f(0) Then versions = versions + 1
    If i = 1 Then first = f(0)
    If f(0) <> first Then others = others + 1
    r.WaitChange 4, 1000                 ' until the publisher ends its next write
Next
WScript.Echo FRAMES & " snapshots under guard ""pair:0,4"": " & whole & " whole frames, " & torn & " torn"
If versions = FRAMES Then WScript.Echo "every Version was its frame's number (begin = end = n after frame n)"
If others > 0 Then WScript.Echo "the publisher kept writing: the snapshots hold different frames"

r.SignalName = "Local\" & name & "_Stop"         ' done: the publisher's stop event
r.Signal
If torn > 0 Or versions < FRAMES Or others = 0 Then WScript.Quit 1
