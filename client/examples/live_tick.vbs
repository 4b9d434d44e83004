' Reading a publisher that rotates its frames through buffers and stamps each with a tick (iRacing's
' irsdk header, varBuf[i].tickCount):
'   cscript //nologo live_tick.vbs [NAME]
' The publisher (tests/helpers/livepub.c in "tick" mode: plain Win32, no COM) has an iRacing-style
' header at offset 0: numBuf at 32, bufLen at 36, and from 48 one 16-byte entry per buffer, int
' tickCount then int bufOffset. It writes frame n into buffer n mod 3 and then sets that buffer's tick
' to n, so the newest buffer is never the one being rewritten. A frame: uint32 frame number n, 254
' uint32 fields (field k = n * 254 + k, modulo 2^32), a checksum (n plus the fields, modulo 2^32).
' As an iRacing reader does, the script copies the newest buffer (the highest tick) with
' Snapshot(bufOffset, bufLen, "tick:OFF:i"), which keeps the copy only if that buffer's tick did not
' change during it: a write that finished meanwhile is caught. (A tick cannot see a write still in
' progress; rotating buffers are what make that impossible here.) WaitChange then waits for the tick of
' the buffer after it: the next frame.
Option Explicit

Const FRAMES = 100
Dim name, ready, r, snap, i, k, b, newest, best, tick, guard, numBuf, bufLen, n, sum, good, whole, torn
Dim versions, first, others

name = "SharedRegionLiveTick"
If WScript.Arguments.Count > 0 Then name = WScript.Arguments(0)

Function U32(x)                          ' a whole number below 2^53, modulo 2^32
    U32 = x - Int(x / 4294967296) * 4294967296
End Function

Set ready = CreateObject("SharedRegion.Region")    ' a region of our own, to wait on the publisher's event
ready.Create "", 8
ready.SignalName = "Local\" & name & "_Ready"     ' the publisher sets it once every buffer holds a frame
If Not ready.WaitSignal(30000) Then WScript.Echo "no publisher within 30 s" : WScript.Quit 1
Set r = CreateObject("SharedRegion.Region")
r.Open name, 1                                     ' ReadOnly
numBuf = r.ReadInt32(32)
bufLen = r.ReadInt32(36)
WScript.Echo "reading " & r.Name & ": " & numBuf & " rotating buffers of " & bufLen & " bytes, each with its tick in the header"

whole = 0 : torn = 0 : versions = 0 : others = 0
For i = 1 To FRAMES
    best = -1
    For b = 0 To numBuf - 1
        tick = r.ReadInt32(48 + 16 * b)
        If tick > best Then best = tick : newest = b
    Next
    guard = "tick:" & (48 + 16 * newest) & ":i"
    Set snap = r.Snapshot(r.ReadInt32(52 + 16 * newest), bufLen, guard)
    n = snap.ReadUInt32(0)
    sum = n
    good = True
    For k = 0 To 253
        If snap.ReadUInt32(4 + 4 * k) <> U32(n * 254 + k) Then good = False
        sum = sum + snap.ReadUInt32(4 + 4 * k)
    Next
    If snap.ReadUInt32(1020) <> U32(sum) Then good = False
    If good Then whole = whole + 1 Else torn = torn + 1
    If snap.Version = n Then versions = versions + 1
    If i = 1 Then first = n
    If n <> first Then others = others + 1
    r.WaitChange 48 + 16 * ((newest + 1) Mod numBuf), 1000, "Int32"   ' the next frame's buffer
Next
WScript.Echo FRAMES & " snapshots of the newest buffer under its guard ""tick:OFF:i"": " & whole & " whole frames, " & torn & " torn"
If versions = FRAMES Then WScript.Echo "every Version was the tick of the frame it copied"
If others > 0 Then WScript.Echo "the publisher kept writing: the snapshots hold different frames"

r.SignalName = "Local\" & name & "_Stop"         ' done: the publisher's stop event
r.Signal
If torn > 0 Or versions < FRAMES Or others = 0 Then WScript.Quit 1
