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
' layout, so every reading in the copy is from the same update. The header and both arrays are read
' from the copy by field name (ReadRecord, ReadRecords). WaitChange(12, , "Int64") waits for the next
' poll_time.
Option Explicit

Const UPDATES = 100
' The formats' names differ from every field name: Wine's VBScript puts a constant's value in place
' of a member of the same name (rec.sensor would read as a constant SENSOR).
Const HEADER_FORMAT = "<signature:4s version:I revision:I pollTime:q sensorAt:I sensorSize:I sensors:I readingAt:I readingSize:I readings:I"
Const SENSOR_FORMAT = "<id:I instance:I name:128s userName:128s"
Const READING_FORMAT = "<kind:I sensor:I id:I label:128s userLabel:128s unit:16s value:d min:d max:d average:d"
Dim name, ready, r, snap, hdr, i, k, size, list, names, rd, poll, good, whole, torn, first, others

name = "SharedRegionLiveLock"
If WScript.Arguments.Count > 0 Then name = WScript.Arguments(0)

Set ready = CreateObject("SharedRegion.Region")    ' a region of our own, to wait on the publisher's event
ready.Create "", 8
ready.SignalName = "Local\" & name & "_Ready"     ' the publisher sets it once its header is in place
If Not ready.WaitSignal(30000) Then WScript.Echo "no publisher within 30 s" : WScript.Quit 1
Set r = CreateObject("SharedRegion.Region")
r.Open name, "ReadOnly"
r.LockName = "Local\" & name & "_MUTEX"     ' the publisher's own mutex, as it is
' The header says where the arrays are; it does not change while the monitor runs.
Set hdr = r.ReadRecord(0, HEADER_FORMAT, "ascii")
size = hdr.readingAt + hdr.readingSize * hdr.readings
WScript.Echo "reading " & r.Name & " (" & hdr.signature & "): " & hdr.sensors & " sensors of " & _
    hdr.sensorSize & " bytes at " & hdr.sensorAt & ", " & hdr.readings & " readings of " & hdr.readingSize & " bytes at " & hdr.readingAt

whole = 0 : torn = 0 : others = 0
For i = 1 To UPDATES
    Set snap = r.Snapshot(0, size, "lock")   ' the mutex is held for this one copy
    poll = snap.ReadRecord(12, "<pollTime:q").pollTime
    list = snap.ReadRecords(hdr.readingAt, hdr.readings, hdr.readingSize, READING_FORMAT, "ansi")
    good = True
    For k = 0 To UBound(list)
        Set rd = list(k)
        If rd.value <> poll * 16 + k Or rd.min <> poll Or rd.max <> poll + 16 Or rd.average <> poll + 0.5 Then good = False
    Next
    If good Then whole = whole + 1 Else torn = torn + 1
    If i = 1 Then first = poll
    If poll <> first Then others = others + 1
    r.WaitChange 12, 1000, "Int64"       ' until the next update
Next
WScript.Echo UPDATES & " snapshots under guard ""lock"" (" & r.LockName & "): " & whole & " whole updates, " & torn & " torn"
If others > 0 Then WScript.Echo "the monitor kept updating: the snapshots hold different updates"
names = snap.ReadRecords(hdr.sensorAt, hdr.sensors, hdr.sensorSize, SENSOR_FORMAT, "ansi")
WScript.Echo "the last snapshot's first readings, by name:"
For k = 0 To 3
    Set rd = list(k)
    WScript.Echo "  " & rd.label & " (" & rd.unit & ") on " & names(rd.sensor).name & ": value " & _
        (rd.value - 16 * poll) & " + 16 x poll_time"
Next

r.SignalName = "Local\" & name & "_Stop"         ' done: the publisher's stop event
r.Signal
If torn > 0 Or others = 0 Then WScript.Quit 1
