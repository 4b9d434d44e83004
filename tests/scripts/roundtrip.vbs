' SharedRegion: VBScript round trip and error reporting, run by cscript in CTest.
' Prints "RESULT: N passed, N failed"; the harness fails the test without that line.
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

Dim name, r, other, n, b, v
name = "sr-vbs-roundtrip-" & CStr(Int(Timer * 1000))

Set r = CreateObject("SharedRegion.Region")
Check Not r.IsOpen, "a new object is closed"
r.Create name, 65536
Check r.IsOpen, "open after Create"
Check r.Size = 65536, "Size is 65536"
Check r.Name = "Local\" & name, "Name has the Local\ prefix"
Check r.Created, "Created is True"

' Strings: UTF-8 by default, NUL included in the count.
n = r.WriteString(0, "hello " & Chr(233) & "t" & Chr(233))
Check n = 12, "WriteString returns 12 bytes (NUL included), got " & n
Check r.ReadString(0) = "hello " & Chr(233) & "t" & Chr(233), "ReadString round trip"
n = r.WriteString(100, "wide", "utf-16")
Check n = 10, "utf-16 WriteString returns 10 bytes, got " & n
Check r.ReadString(100, , "utf-16") = "wide", "utf-16 ReadString with maxBytes left out"
Check r.ReadString(0, 5) = "hello", "ReadString with maxBytes"

' Bytes: VBScript's Array(...) in, Byte() out, and Byte() back in.
r.WriteBytes 200, Array(1, 2, 3, 255)
Check r.ReadByte(200) = 1 And r.ReadByte(203) = 255, "WriteBytes from Array()"
b = r.ReadBytes(200, 4)
r.WriteBytes 300, b
Check r.ReadByte(300) = 1 And r.ReadByte(301) = 2 And r.ReadByte(302) = 3 And r.ReadByte(303) = 255, _
      "Byte() from ReadBytes written back with WriteBytes"

' Typed access at an odd offset.
r.WriteInt32 401, -123456789
Check r.ReadInt32(401) = -123456789, "Int32 at an odd offset"
r.WriteDouble 501, 3.25
Check r.ReadDouble(501) = 3.25, "Double at an odd offset"

' A second object opened by name sees the bytes.
Set other = CreateObject("SharedRegion.Region")
other.Open name
Check other.ReadString(0, 5) = "hello", "a second object reads the first one's string"
Check Not other.Created, "the opener did not create it"
other.WriteInt32 1000, 4242
Check r.ReadInt32(1000) = 4242, "the first object reads the second one's write"

' Errors: number and description, and nothing written.
On Error Resume Next
v = r.ReadBytes(70000, 16)
Check Err.Number = &H80070057, "bad offset gives E_INVALIDARG, got " & Hex(Err.Number)
Check Err.Description = "ReadBytes: offset 70000 + count 16 is past the end of the region (65536 bytes)", _
      "bad offset description: " & Err.Description
Err.Clear
r.WriteInt32 -1, 5
Check Err.Number = &H80070057, "negative offset gives E_INVALIDARG, got " & Hex(Err.Number)
Check InStr(Err.Description, "WriteInt32:") = 1, "description names WriteInt32: " & Err.Description
Err.Clear
r.WriteBytes 0, Array(1, 2, 300)
Check Err.Number = &H80070057, "byte 300 gives E_INVALIDARG, got " & Hex(Err.Number)
Err.Clear
On Error GoTo 0
Check r.ReadByte(0) = Asc("h"), "a failed WriteBytes changed nothing"

other.Close
On Error Resume Next
v = other.ReadInt32(0)
Check Err.Number = &H80040201, "closed object gives SR_E_NOTOPEN, got " & Hex(Err.Number)
Check InStr(Err.Description, "ReadInt32: the region is not open") = 1, "closed description: " & Err.Description
Err.Clear
On Error GoTo 0
r.Close

WScript.Echo "RESULT: " & passed & " passed, " & failed & " failed"
If failed > 0 Then WScript.Quit 1
