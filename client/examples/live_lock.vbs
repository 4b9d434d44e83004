' Reading a hardware monitor that updates its data under a mutex (HWiNFO's shared memory and its
' Global\HWiNFO_SM2_MUTEX) from one snapshot per update:
'   cscript //nologo live_lock.vbs [NAME]
' The publisher (tests/helpers/livepub.c in "lock" mode: plain Win32, no COM) holds its mutex
' Local\NAME_MUTEX while it writes. Its section starts with a packed HWiNFO-style header: "HWiS", then
' int64 poll_time at 12, and the offset, element size and count of its sensor array (at 20, 24, 28) and
' of its reading array (at 32, 36, 40). A reading: uint32 type, sensor index and id, char label[128],
' user_label[128], unit[16], then doubles value, min, max and average (at 284). Update n has poll_time
' n, and reading k the value n * 16 + k, min n, max n + 16, average n + 0.5.
' LockName adopts the publisher's mutex; Snapshot(0, size, "lock") holds it for one copy of the whole
' layout, so every reading in the copy is from the same update. WaitChange(12, , "Int64") waits for the
' next poll_time.
Option Explicit

Const UPDATES = 100
Dim name, ready, r, snap, i, k, sensorAt, sensorSize, sensors, readingAt, readingSize, readings, size
Dim poll, at, good, whole, torn, first, others

name = "SharedRegionLiveLock"
If WScript.Arguments.Count > 0 Then name = WScript.Arguments(0)

Set ready = CreateObject("SharedRegion.Region")    ' a region of our own, to wait on the publisher's event
ready.Create "", 8
ready.SignalName = "Local\" & name & "_Ready"     ' the publisher sets it once its header is in place
If Not ready.WaitSignal(30000) Then WScript.Echo "no publisher within 30 s" : WScript.Quit 1
Set r = CreateObject("SharedRegion.Region")
r.Open name, 1                                     ' ReadOnly
r.LockName = "Local\" & name & "_MUTEX"     ' the publisher's own mutex, as it is
' The header says where the arrays are; it does not change while the monitor runs.
sensorAt = r.ReadUInt32(20) : sensorSize = r.ReadUInt32(24) : sensors = r.ReadUInt32(28)
readingAt = r.ReadUInt32(32) : readingSize = r.ReadUInt32(36) : readings = r.ReadUInt32(40)
size = readingAt + readingSize * readings
WScript.Echo "reading " & r.Name & " (" & r.ReadString(0, 4, "ascii") & "): " & sensors & " sensors of " & _
    sensorSize & " bytes at " & sensorAt & ", " & readings & " readings of " & readingSize & " bytes at " & readingAt

whole = 0 : torn = 0 : others = 0
For i = 1 To UPDATES
    Set snap = r.Snapshot(0, size, "lock")   ' the mutex is held for this one copy
    poll = snap.ReadInt64(12)
    good = True
    For k = 0 To readings - 1
        at = readingAt + k * readingSize + 284
        If snap.ReadDouble(at) <> poll * 16 + k Or snap.ReadDouble(at + 8) <> poll Or _
           snap.ReadDouble(at + 16) <> poll + 16 Or snap.ReadDouble(at + 24) <> poll + 0.5 Then good = False
    Next
    If good Then whole = whole + 1 Else torn = torn + 1
    If i = 1 Then first = poll
    If poll <> first Then others = others + 1
    r.WaitChange 12, 1000, "Int64"       ' until the next update
Next
WScript.Echo UPDATES & " snapshots under guard ""lock"" (" & r.LockName & "): " & whole & " whole updates, " & torn & " torn"
If others > 0 Then WScript.Echo "the monitor kept updating: the snapshots hold different updates"
WScript.Echo "the last snapshot's first readings, by their offsets:"
For k = 0 To 3
    at = readingAt + k * readingSize
    WScript.Echo "  " & snap.ReadString(at + 12, 128, "ansi") & " (" & snap.ReadString(at + 268, 16, "ansi") & ") on " & _
        snap.ReadString(sensorAt + snap.ReadUInt32(at + 4) * sensorSize + 8, 128, "ansi") & _
        ": value " & (snap.ReadDouble(at + 284) - 16 * poll) & " + 16 x poll_time"
Next

r.SignalName = "Local\" & name & "_Stop"         ' done: the publisher's stop event
r.Signal
If torn > 0 Or others = 0 Then WScript.Quit 1
