' SharedRegion: one side of the cross-bitness test of a file-backed region beyond 4 GiB
' (tests/crossbitness.sh). Opens PATH as a named 5 GiB file-backed region NAME, writes its own
' text at 4.5 GiB, prints "ready", waits for the other process's signal, then prints what the
' other process wrote at 4.5 GiB + 4 KiB and "RESULT: N passed, N failed".
'   cscript //nologo bigpeer.vbs PATH NAME TEXT
Option Explicit
Dim r, GiB, at, passed, failed, got
GiB = 1073741824
at = 4.5 * GiB
passed = 0 : failed = 0
Set r = CreateObject("SharedRegion.Region")
r.OpenFile WScript.Arguments(0), 5 * GiB, 0, WScript.Arguments(1)
If r.Size = 5 * GiB Then passed = passed + 1 Else failed = failed + 1 : WScript.Echo "FAIL: Size " & r.Size
r.WriteString at, WScript.Arguments(2)
r.Flush
WScript.Echo "ready"
If r.WaitSignal(120000) Then
    passed = passed + 1
    got = r.ReadString(at + 4096)
    WScript.Echo "peer wrote: " & got
Else
    failed = failed + 1
    WScript.Echo "FAIL: no signal from the other process within 2 minutes"
End If
r.Close
WScript.Echo "RESULT: " & passed & " passed, " & failed & " failed"
