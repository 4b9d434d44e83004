' SharedRegion: a file-backed region beyond 4 GiB from VBScript (offsets are Doubles).
' Writes at offset 5 GiB of a 6 GiB file, reads it back through a new object, and checks
' that a view keeps working after its region is closed.
Option Explicit
Dim passed, failed
passed = 0 : failed = 0

Sub Check(ok, what)
    If ok Then
        passed = passed + 1
    Else
        failed = failed + 1
        WScript.Echo "FAIL: " & what
    End If
End Sub

Dim fso, path, r, again, v, GiB, at
Set fso = CreateObject("Scripting.FileSystemObject")
path = fso.BuildPath(fso.GetSpecialFolder(2), "sr-vbs-bigfile-" & CStr(Int(Timer * 1000)) & ".bin")
fso.CreateTextFile(path, True).Close
GiB = 1073741824
at = 5 * GiB + 3

' The checks are in a Sub called under On Error Resume Next: an unexpected error ends the Sub, is
' reported as a failure, and the 6 GiB file is still deleted below.
Sub BigFileChecks()
    Set r = CreateObject("SharedRegion.Region")
    r.OpenFile path, 6 * GiB
    Check r.Size = 6 * GiB, "Size is 6 GiB, got " & r.Size
    Check LCase(r.FilePath) = LCase(path), "FilePath is the full path"
    r.WriteInt32 at, 1234567
    Check r.WriteString(at + 100, "five gigabytes in") = 18, "WriteString at 5 GiB + 100"
    r.WriteBytes 6 * GiB - 3, Array(7, 8, 9)
    r.Flush
    Set v = r.MapView(at, 4096)
    r.Close
    Set r = Nothing
    Check v.ReadInt32(0) = 1234567, "the view reads after its region is closed"
    v.WriteInt32 8, -5
    v.Flush
    Set v = Nothing

    Set again = CreateObject("SharedRegion.Region")
    again.OpenFile path, 0, 1
    Check again.Access = 1, "opened read-only"
    Check again.Size = 6 * GiB, "the file is 6 GiB"
    Check again.ReadInt32(at) = 1234567, "a new object reads the Int32 at 5 GiB + 3"
    Check again.ReadInt32(at + 8) = -5, "a new object reads the view's write"
    Check again.ReadString(at + 100) = "five gigabytes in", "a new object reads the string at 5 GiB + 103"
    Check again.ReadByte(6 * GiB - 1) = 9, "the last byte of the file"
    On Error Resume Next
    again.WriteInt32 at, 1
    Check Err.Number = &H80070005, "read-only write gives E_ACCESSDENIED, got " & Hex(Err.Number)
    Err.Clear
    Dim x
    x = again.ReadByte(6 * GiB)
    Check Err.Number = &H80070057, "reading past 6 GiB gives E_INVALIDARG, got " & Hex(Err.Number)
    Check Err.Description = "ReadByte: offset 6442450944 + count 1 is past the end of the region (6442450944 bytes)", _
          "description: " & Err.Description
    Err.Clear
    On Error GoTo 0
    again.Close
End Sub

Dim en, ed
On Error Resume Next
BigFileChecks
If Err.Number <> 0 Then
    en = Err.Number : ed = Err.Description
    Err.Clear
    Check False, "the checks stopped at an unexpected error " & Hex(en) & ": " & ed
End If
Set v = Nothing
If IsObject(r) Then r.Close
Set r = Nothing
If IsObject(again) Then again.Close
Set again = Nothing
If fso.FileExists(path) Then fso.DeleteFile path
Err.Clear
On Error GoTo 0
Check Not fso.FileExists(path), "the file " & path & " was deleted"

WScript.Echo "RESULT: " & passed & " passed, " & failed & " failed"
If failed > 0 Then WScript.Quit 1
