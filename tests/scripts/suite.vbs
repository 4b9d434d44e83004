' SharedRegion: the VBScript suite, run by cscript in CTest (tests/scripting.cmake).
' Exercises every member of ISharedRegion and ISharedView from VBScript: binding calls,
' properties, bytes (Byte() and Array()), strings, typed access, fill and flush, views,
' the lock and the signal (with a second cscript process), OpenFile on a temporary file, and
' the errors with their exact numbers and descriptions.
'
' Prints "SKIP: ..." for each check that this VBScript engine cannot carry out (with the reason
' it found), and ends with "RESULT: N passed, N failed, N skipped"; the harness fails the test
' without that line. A skipped check is never counted as passed.
'
' Run as "suite.vbs hold-lock NAME" it is the helper process of the lock test (see HoldLock).
Option Explicit

Dim passed, failed, skipped, en, ed
passed = 0 : failed = 0 : skipped = 0

Sub Check(ok, what)
    If ok Then
        passed = passed + 1
    Else
        failed = failed + 1
        WScript.Echo "FAIL: " & what
    End If
End Sub

Sub Skip(what, reason)
    skipped = skipped + 1
    WScript.Echo "SKIP: " & what & " -- " & reason
End Sub

' Call right after a statement run under On Error Resume Next: keeps its error, clears Err.
Sub Catch()
    en = Err.Number : ed = Err.Description
    Err.Clear
End Sub

' The caught error was exactly num with exactly desc.
Sub CheckErr(num, desc, what)
    Check en = num, what & ": error number " & Hex(num) & " expected, got " & Hex(en) & " (" & ed & ")"
    Check ed = desc, what & ": description '" & desc & "' expected, got '" & ed & "'"
End Sub

' The caught error was exactly num, its description starting with prefix.
Sub CheckErrPrefix(num, prefix, what)
    Check en = num, what & ": error number " & Hex(num) & " expected, got " & Hex(en) & " (" & ed & ")"
    Check Left(ed, Len(prefix)) = prefix, what & ": description starting '" & prefix & "' expected, got '" & ed & "'"
End Sub

' Error numbers (HRESULTs as VBScript sees them).
Const E_INVALIDARG = &H80070057
Const E_ACCESSDENIED = &H80070005
Const ERR_FILE_NOT_FOUND = &H80070002       ' HRESULT_FROM_WIN32(ERROR_FILE_NOT_FOUND)
Const ERR_ALREADY_EXISTS = &H800700B7       ' HRESULT_FROM_WIN32(ERROR_ALREADY_EXISTS)
Const ERR_NOT_OWNER = &H80070120            ' HRESULT_FROM_WIN32(ERROR_NOT_OWNER)
Const DISP_E_TYPEMISMATCH = &H80020005
Const SR_E_NOTOPEN = &H80040201
Const SR_E_ALREADYOPEN = &H80040202
Const SR_E_NOTMAPPED = &H80040203
Const SR_E_EMPTYFILE = &H80040204
Const SR_E_BADENCODING = &H80040205
Const VB_NOT_SUPPORTED = 445                ' "Object doesn't support this action": a missing built-in

' x = ChrW(code); False, with the check `what` skipped, where this engine has no ChrW.
Function TryChrW(code, what)
    On Error Resume Next
    x = ChrW(code) : Catch
    On Error GoTo 0
    TryChrW = en <> VB_NOT_SUPPORTED
    If Not TryChrW Then Skip what, "this VBScript engine has no ChrW (error 445: " & ed & ")"
End Function
Const GIB = 1073741824

' A pause that works in every host: an anonymous region's private event is never signalled.
Dim pauser
Set pauser = CreateObject("SharedRegion.Region")
pauser.Create "", 1
Sub Pause(ms)
    Dim ignored
    ignored = pauser.WaitSignal(ms)
End Sub

' ---- the helper process of the lock test ----
' Opens the region, takes its lock, says so in byte 0, waits for Signal, records in byte 1 that
' the signal arrived, and exits still holding the lock (so the lock is abandoned).
Sub HoldLock(name)
    Dim h
    Set h = CreateObject("SharedRegion.Region")
    h.Open name
    If h.Lock(10000) Then h.WriteByte 0, 1
    If h.WaitSignal(20000) Then h.WriteByte 1, 1
    WScript.Quit 0
End Sub

If WScript.Arguments.Count = 2 Then
    If WScript.Arguments(0) = "hold-lock" Then HoldLock WScript.Arguments(1)
End If

Randomize
Dim stem
stem = "sr-vbs-suite-" & CStr(Int(Timer * 1000)) & "-" & CStr(Int(Rnd * 1000000))

Dim r, r2, v, v2, b, x, n, i, ok, t, name, fso, path, f, size

' ==== binding calls and properties ====
name = stem & "-a"
Set r = CreateObject("SharedRegion.Region")
Check Not r.IsOpen, "a new object is closed (IsOpen False)"
Check r.Size = 0, "a closed object's Size is 0"
Check r.Name = "", "a closed object's Name is empty"
r.Create name, 65536
Check r.IsOpen, "IsOpen after Create"
Check r.Size = 65536, "Size after Create is 65536, got " & r.Size
Check TypeName(r.Size) = "Double", "Size is a Double, got " & TypeName(r.Size)
Check r.Name = "Local\" & name, "Name has the Local\ prefix: " & r.Name
Check r.Created, "Created after Create"
Check r.Access = 0, "Access of a created region is 0 (ReadWrite)"
Check r.FilePath = "", "FilePath of a page-file region is empty"
Check Not r.LockAbandoned, "LockAbandoned starts False"

On Error Resume Next
r.Create name, 4096 : Catch
On Error GoTo 0
CheckErr SR_E_ALREADYOPEN, "Create: this object already has a region open (Local\" & name & "); call Close first", _
         "Create on an open object"

Set r2 = CreateObject("SharedRegion.Region")
On Error Resume Next
r2.Create name, 4096 : Catch
On Error GoTo 0
CheckErr ERR_ALREADY_EXISTS, "Create: a region named 'Local\" & name & "' already exists; Create never opens an existing name (use Open or OpenOrCreate)", _
         "Create of an existing name"
Check Not r2.IsOpen, "a failed Create leaves the object closed"

' Open with access left out: ReadWrite; the Size of a region opened by name is page-rounded.
r2.Open name
Check r2.IsOpen And Not r2.Created, "Open: open, not created"
Check r2.Access = 0, "Open with access left out is ReadWrite"
r2.WriteInt32 12, 77
Check r.ReadInt32(12) = 77, "a write through one object is seen through the other"
r2.Close
r2.Close
Check Not r2.IsOpen, "Close, twice, leaves the object closed"

' Open ReadOnly: writes are refused, nothing is written.
r2.Open "Local\" & name, "ReadOnly"
Check r2.Access = 1, "Open(name, ""ReadOnly"") gives Access 1 (ReadOnly)"
On Error Resume Next
r2.WriteByte 0, 9 : Catch
On Error GoTo 0
CheckErr E_ACCESSDENIED, "WriteByte: the region is read-only", "WriteByte on a read-only region"
Check r.ReadByte(0) = 0, "the refused write changed nothing"
r2.Close

On Error Resume Next
r2.Open stem & "-missing" : Catch
On Error GoTo 0
CheckErr ERR_FILE_NOT_FOUND, "Open: no region named 'Local\" & stem & "-missing' exists", "Open of a missing name"
On Error Resume Next
r2.Open name, 7 : Catch
On Error GoTo 0
CheckErr E_INVALIDARG, "Open: access 7 is not 0 (ReadWrite), 1 (ReadOnly) or 2 (CopyOnWrite)", "Open with a bad access"
On Error Resume Next
r2.Create "a\b", 4096 : Catch
On Error GoTo 0
CheckErrPrefix E_INVALIDARG, "Create:", "Create with a backslash in the name"
On Error Resume Next
r2.Create "", 0 : Catch
On Error GoTo 0
CheckErr E_INVALIDARG, "Create: size must be at least 1 byte", "Create of 0 bytes"

' OpenOrCreate, sddl left out: True when it created, False when it opened.
Check r2.OpenOrCreate(stem & "-ooc", 4096) = True, "OpenOrCreate creates a new name (True)"
Check r2.Created, "Created after OpenOrCreate created"
Set v = CreateObject("SharedRegion.Region")
Check v.OpenOrCreate(stem & "-ooc", 4096) = False, "OpenOrCreate opens an existing name (False)"
Check Not v.Created, "Created is False after OpenOrCreate opened"
v.Close
r2.Close
' Create with an sddl (owner only) and an anonymous region.
r2.Create stem & "-sddl", 4096, "D:P(A;;GA;;;OW)"
Check r2.IsOpen, "Create with an sddl"
r2.Close
On Error Resume Next
r2.Create stem & "-badsddl", 4096, "not an sddl" : Catch
On Error GoTo 0
CheckErrPrefix E_INVALIDARG, "Create: sddl 'not an sddl' is not a valid security descriptor string", "Create with a bad sddl"
r2.Create "", 4096
Check r2.Name = "", "an anonymous region has no Name"
r2.Close

' ==== bytes ====
b = r.ReadBytes(0, 4)
Check VarType(b) = 8209, "ReadBytes returns a Byte() array (VarType vbArray + vbByte = 8209), got " & VarType(b)
x = TypeName(b)
If x = "Variant()" And VarType(b) = 8209 Then
    Skip "TypeName(ReadBytes(...)) = ""Byte()""", "this VBScript engine's TypeName reports Variant() for a Byte() array although VarType is 8209"
Else
    Check x = "Byte()", "TypeName of ReadBytes' result is Byte(), got " & x
End If

' VBScript's Array(...) into WriteBytes; Byte() from ReadBytes back into WriteBytes.
r.WriteBytes 200, Array(1, 2, 3, 255, 0, 128)
Check r.ReadByte(200) = 1 And r.ReadByte(201) = 2 And r.ReadByte(202) = 3 And r.ReadByte(203) = 255 _
      And r.ReadByte(204) = 0 And r.ReadByte(205) = 128, "WriteBytes from Array(1, 2, 3, 255, 0, 128)"
b = r.ReadBytes(200, 6)
r.WriteBytes 300, b
Check r.ReadByte(300) = 1 And r.ReadByte(301) = 2 And r.ReadByte(302) = 3 And r.ReadByte(303) = 255 _
      And r.ReadByte(304) = 0 And r.ReadByte(305) = 128, "Byte() from ReadBytes written back with WriteBytes"
r.WriteBytes 310, Array()
Check r.ReadByte(310) = 0, "WriteBytes of an empty Array() writes nothing"
b = r.ReadBytes(65536, 0)
Check VarType(b) = 8209, "ReadBytes of 0 bytes at the end is an (empty) Byte() array"

' Reading a Byte() in VBScript: UBound, and AscB(MidB(...)) (VBScript treats a Byte() as a byte string).
b = r.ReadBytes(200, 6)
On Error Resume Next
x = UBound(b) : Catch
On Error GoTo 0
If en = VB_NOT_SUPPORTED Then
    Skip "UBound(ReadBytes(200, 6)) = 5", "this VBScript engine cannot take UBound of a Byte() array (error 445: " & ed & ")"
Else
    Check en = 0 And x = 5, "UBound of a 6-byte Byte() is 5, got " & x & " (error " & Hex(en) & ")"
End If
On Error Resume Next
x = AscB(MidB(b, 4, 1)) : Catch
On Error GoTo 0
If en = VB_NOT_SUPPORTED Then
    Skip "AscB(MidB(bytes, 4, 1)) = 255", "this VBScript engine has no AscB/MidB (error 445: " & ed & ")"
Else
    Check en = 0 And x = 255, "AscB(MidB(bytes, 4, 1)) is 255, got " & x & " (error " & Hex(en) & ")"
End If
On Error Resume Next
x = LenB(b) : Catch
On Error GoTo 0
If en = VB_NOT_SUPPORTED Then
    Skip "LenB(ReadBytes(200, 6)) = 6", "this VBScript engine has no LenB for a Byte() array (error 445: " & ed & ")"
Else
    Check en = 0 And x = 6, "LenB of a 6-byte Byte() is 6, got " & x & " (error " & Hex(en) & ")"
End If

' Byte errors: exact number and description, and nothing written.
On Error Resume Next
v = r.ReadBytes(70000, 16) : Catch
On Error GoTo 0
CheckErr E_INVALIDARG, "ReadBytes: offset 70000 + count 16 is past the end of the region (65536 bytes)", "ReadBytes past the end"
On Error Resume Next
r.WriteBytes 400, Array(1, 2, 300) : Catch
On Error GoTo 0
CheckErr E_INVALIDARG, "WriteBytes: element 2 of data is 300, not a whole number 0..255", "WriteBytes with 300 in the array"
Check r.ReadByte(400) = 0, "the refused WriteBytes wrote nothing"
On Error Resume Next
r.WriteBytes 400, Array(1, -1) : Catch
On Error GoTo 0
CheckErr E_INVALIDARG, "WriteBytes: element 1 of data is -1, not a whole number 0..255", "WriteBytes with -1 in the array"
On Error Resume Next
r.WriteBytes 400, "abc" : Catch
On Error GoTo 0
CheckErr DISP_E_TYPEMISMATCH, "WriteBytes: data must be a Byte() array or an array of numbers 0..255, not a String", "WriteBytes of a String"
On Error Resume Next
r.WriteBytes 65534, Array(1, 2, 3) : Catch
On Error GoTo 0
CheckErr E_INVALIDARG, "WriteBytes: offset 65534 + count 3 is past the end of the region (65536 bytes)", "WriteBytes past the end"
On Error Resume Next
v = r.ReadBytes(1.5, 1) : Catch
On Error GoTo 0
CheckErr E_INVALIDARG, "ReadBytes: offset 1.5 is not a whole number", "ReadBytes at a fractional offset"
On Error Resume Next
v = r.ReadBytes(-1, 1) : Catch
On Error GoTo 0
CheckErr E_INVALIDARG, "ReadBytes: offset -1 is negative", "ReadBytes at a negative offset"

' ==== strings ====
n = r.WriteString(1000, "hello " & Chr(233) & "t" & Chr(233))
Check n = 12, "WriteString (UTF-8, NUL included) returns 12, got " & n
Check r.ReadString(1000) = "hello " & Chr(233) & "t" & Chr(233), "ReadString with everything left out"
Check r.ReadByte(1006) = &HC3 And r.ReadByte(1007) = &HA9, "e-acute is C3 A9 in UTF-8"
Check r.ReadString(1000, 5) = "hello", "ReadString with maxBytes"
Check r.ReadString(1000, 5, "utf-8") = "hello", "ReadString with maxBytes and encoding"
n = r.WriteString(1100, "wide", "utf-16")
Check n = 10, "WriteString utf-16 returns 10, got " & n
Check r.ReadByte(1100) = Asc("w") And r.ReadByte(1101) = 0, "utf-16 is little-endian"
Check r.ReadString(1100, , "utf-16") = "wide", "ReadString with maxBytes left out and encoding given"
n = r.WriteString(1200, "abcdef", , False)
Check n = 6, "WriteString with encoding left out and terminate False returns 6, got " & n
n = r.WriteString(1200, "xyz", "utf-8", False)
Check r.ReadString(1200) = "xyzdef", "an unterminated WriteString leaves the bytes after it"
n = r.WriteString(1300, "")
Check n = 1 And r.ReadString(1300) = "", "WriteString of an empty string writes the NUL only"
If TryChrW(&H4E2D, "a CJK character (3 UTF-8 bytes) round trip") Then
    n = r.WriteString(1400, x)
    Check n = 4 And r.ReadByte(1400) = &HE4 And r.ReadByte(1401) = &HB8 And r.ReadByte(1402) = &HAD, _
          "U+4E2D is E4 B8 AD in UTF-8"
    Check r.ReadString(1400) = x, "U+4E2D round trip"
End If
r.WriteBytes 1500, Array(Asc("a"), 255, 254, 0)
On Error Resume Next
x = r.ReadString(1500) : Catch
On Error GoTo 0
CheckErr SR_E_BADENCODING, "ReadString: the 3 bytes at offset 1500 are not valid UTF-8", "ReadString of invalid UTF-8"
On Error Resume Next
x = r.ReadString(1000, , "ebcdic") : Catch
On Error GoTo 0
CheckErr E_INVALIDARG, "ReadString: encoding 'ebcdic' is not one of ""utf-8"", ""utf-16"", ""ansi"", ""oem"", ""ascii"", ""latin-1"" or a code page ""cpNNN""", "ReadString with an unknown encoding"
On Error Resume Next
n = r.WriteString(65534, "abc") : Catch
On Error GoTo 0
CheckErr E_INVALIDARG, "WriteString: offset 65534 + count 4 is past the end of the region (65536 bytes)", "WriteString past the end"

' ==== typed access, Fill, Flush ====
r.WriteByte 2001, 200
Check r.ReadByte(2001) = 200, "WriteByte/ReadByte"
Check TypeName(r.ReadByte(2001)) = "Byte", "ReadByte returns a Byte"
r.WriteInt32 2003, -123456789
Check r.ReadInt32(2003) = -123456789, "Int32 at an odd offset"
Check TypeName(r.ReadInt32(2003)) = "Long", "ReadInt32 returns a Long"
r.WriteBytes 2010, Array(&HFF, &HFF, &HFF, &H7F)
Check r.ReadInt32(2010) = 2147483647, "ReadInt32 is little-endian (FF FF FF 7F = 2147483647)"
r.WriteInt32 2020, 1
Check r.ReadByte(2020) = 1 And r.ReadByte(2023) = 0, "WriteInt32 is little-endian"
r.WriteDouble 2031, 1 / 3
Check r.ReadDouble(2031) = 1 / 3, "Double at an odd offset round trips exactly"
r.WriteDouble 2041, 2 ^ 53
Check r.ReadDouble(2041) = 2 ^ 53, "2^53 round trips"
r.WriteDouble 2051, 1.5
Check r.ReadByte(2051) = 0 And r.ReadByte(2057) = &HF8 And r.ReadByte(2058) = &H3F, "1.5 is 3FF8000000000000, stored little-endian (00 .. F8 3F)"
On Error Resume Next
r.WriteByte 0, 256 : Catch
On Error GoTo 0
CheckErr E_INVALIDARG, "WriteByte: value 256 is out of range; UInt8 takes 0 to 255", "WriteByte 256"
On Error Resume Next
x = r.ReadInt32(65533) : Catch
On Error GoTo 0
CheckErr E_INVALIDARG, "ReadInt32: offset 65533 + count 4 is past the end of the region (65536 bytes)", "ReadInt32 across the end"
r.Fill 3000, 100, &HAB
Check r.ReadByte(3000) = &HAB And r.ReadByte(3099) = &HAB And r.ReadByte(3100) = 0, "Fill sets exactly count bytes"
On Error Resume Next
r.Fill 3000, 10, 256 : Catch
On Error GoTo 0
CheckErr E_INVALIDARG, "Fill: value 256 is not 0..255", "Fill with 256"
r.Flush
r.Flush 4096
r.Flush 0, 4096
Check r.IsOpen, "Flush with no arguments, offset only, and both"
On Error Resume Next
r.Flush 70000 : Catch
On Error GoTo 0
CheckErrPrefix E_INVALIDARG, "Flush: offset 70000", "Flush past the end"

' ==== a region larger than 4 GiB (page-file backed; only touched pages cost memory) ====
Set v = CreateObject("SharedRegion.Region")
v.Create "", 5 * GIB
Check v.Size = 5 * GIB, "a 5 GiB region's Size is 5368709120, got " & v.Size
v.WriteDouble 5 * GIB - 8, 42.5
Check v.ReadDouble(5 * GIB - 8) = 42.5, "a Double at 5 GiB - 8"
v.WriteInt32 4 * GIB + 1, -7
Set v2 = v.MapView(4 * GIB + 1, 4096)
Check v2.Offset = 4 * GIB + 1 And v2.ReadInt32(0) = -7, "a view at 4 GiB + 1 sees the region's bytes"
v2.Unmap
v.Close

' ==== views ====
r.Fill 0, 65536, 0
Set v = r.MapView(12345, 1000)
Check TypeName(v) = "ISharedView", "MapView returns an ISharedView, got " & TypeName(v)
Check v.Offset = 12345, "view Offset 12345 (unaligned), got " & v.Offset
Check v.Size = 1000, "view Size 1000, got " & v.Size
Check v.Access = 0, "a view with access left out has the region's access (0)"
Check v.IsMapped, "IsMapped after MapView"
Check v.Region.Name = r.Name, "view.Region is the region"
v.WriteByte 0, 7
Check r.ReadByte(12345) = 7, "view offset 0 is region offset 12345"
r.WriteInt32 12345 + 996, 99
Check v.ReadInt32(996) = 99, "the view sees the region's writes at its last 4 bytes"
v.WriteBytes 10, Array(4, 5, 6)
b = v.ReadBytes(10, 3)
r.WriteBytes 100, b
Check r.ReadByte(100) = 4 And r.ReadByte(101) = 5 And r.ReadByte(102) = 6, "view WriteBytes(Array) and ReadBytes (Byte()) round trip"
Check VarType(b) = 8209, "view ReadBytes returns a Byte() array"
n = v.WriteString(20, "view text")
Check n = 10 And v.ReadString(20) = "view text" And r.ReadString(12345 + 20) = "view text", "view WriteString/ReadString"
n = v.WriteString(40, "wv", "utf-16", False)
Check n = 4 And v.ReadString(40, 4, "utf-16") = "wv", "view utf-16 strings with terminate False and maxBytes"
v.WriteInt32 51, -2
Check v.ReadInt32(51) = -2, "view Int32"
v.WriteDouble 61, -0.125
Check v.ReadDouble(61) = -0.125, "view Double"
v.WriteByte 70, 255
Check v.ReadByte(70) = 255, "view Byte"
v.Fill 80, 20, 17
Check v.ReadByte(80) = 17 And v.ReadByte(99) = 17 And v.ReadByte(100) = 0, "view Fill"
v.Flush
v.Flush 0, 100
Check v.IsMapped, "view Flush with and without arguments"
On Error Resume Next
x = v.ReadBytes(999, 2) : Catch
On Error GoTo 0
CheckErr E_INVALIDARG, "ReadBytes: offset 999 + count 2 is past the end of the view (1000 bytes)", "view ReadBytes past its end"
On Error Resume Next
v.WriteByte 0, 300 : Catch
On Error GoTo 0
CheckErr E_INVALIDARG, "WriteByte: value 300 is out of range; UInt8 takes 0 to 255", "view WriteByte 300"

' Size 0 maps to the end; a ReadOnly view refuses writes; a CopyOnWrite view keeps its writes.
Set v2 = r.MapView(65000, 0)
Check v2.Size = 536, "MapView(65000, 0) maps to the end (536 bytes), got " & v2.Size
v2.Unmap
Set v2 = r.MapView(12345, 100, 1)
Check v2.Access = 1, "MapView with access 1 is ReadOnly"
Check v2.ReadByte(0) = 7, "a ReadOnly view reads"
On Error Resume Next
v2.WriteByte 0, 1 : Catch
On Error GoTo 0
CheckErr E_ACCESSDENIED, "WriteByte: the view is read-only", "WriteByte through a ReadOnly view"
v2.Unmap
Set v2 = r.MapView(8191, 10, 2)
Check v2.Access = 2, "MapView with access 2 is CopyOnWrite"
v2.WriteByte 0, 66
Check v2.ReadByte(0) = 66 And r.ReadByte(8191) = 0, "a CopyOnWrite view's write stays private"
v2.Unmap
On Error Resume Next
Set v2 = r.MapView(70000, 10) : Catch
On Error GoTo 0
CheckErr E_INVALIDARG, "MapView: offset 70000 is at or past the end of the region (65536 bytes)", "MapView past the end"
On Error Resume Next
Set v2 = r.MapView(65000, 1000) : Catch
On Error GoTo 0
CheckErr E_INVALIDARG, "MapView: offset 65000 + size 1000 is past the end of the region (65536 bytes)", "MapView across the end"

' A view outlives Close and the release of its region object.
Set v2 = r.MapView(1, 100)
v2.WriteInt32 0, 4242
name = r.Name
r.Close
Check Not r.IsOpen, "the region is closed"
Check v2.IsMapped And v2.ReadInt32(0) = 4242, "a view still reads after its region was closed"
v2.WriteInt32 4, 5151
Check v2.ReadInt32(4) = 5151, "a view still writes after its region was closed"
Check Not v2.Region.IsOpen, "view.Region is the (closed) region"
Set r = Nothing
Check v2.ReadInt32(0) = 4242, "a view still reads after its region object was released"
Set r2 = CreateObject("SharedRegion.Region")
r2.Open name
Check r2.ReadInt32(5) = 5151, "another object opening the name sees the view's write"
r2.Close
v2.Unmap
Check Not v2.IsMapped, "IsMapped False after Unmap"
On Error Resume Next
x = v2.ReadByte(0) : Catch
On Error GoTo 0
CheckErr SR_E_NOTMAPPED, "ReadByte: the view is not mapped (Unmap was called)", "ReadByte after Unmap"
v2.Unmap
Check Not v2.IsMapped, "Unmap twice is harmless"
v.Unmap

' The closed region: every data call fails with SR_E_NOTOPEN.
Set r = CreateObject("SharedRegion.Region")
On Error Resume Next
x = r.ReadInt32(0) : Catch
On Error GoTo 0
CheckErr SR_E_NOTOPEN, "ReadInt32: the region is not open (call Create, Open, OpenOrCreate or OpenFile first)", "ReadInt32 on a closed region"
On Error Resume Next
Set v = r.MapView(0, 1) : Catch
On Error GoTo 0
CheckErr SR_E_NOTOPEN, "MapView: the region is not open (call Create, Open, OpenOrCreate or OpenFile first)", "MapView on a closed region"
On Error Resume Next
x = r.Lock(0) : Catch
On Error GoTo 0
CheckErr SR_E_NOTOPEN, "Lock: the region is not open (call Create, Open, OpenOrCreate or OpenFile first)", "Lock on a closed region"

' ==== lock and signal ====
name = stem & "-lock"
r.Create name, 4096
Check r.Lock() = True, "Lock with the timeout left out"
Check r.Lock(0) = True, "Lock(0) again on the same thread (the lock is recursive)"
r.Unlock
r.Unlock
On Error Resume Next
r.Unlock : Catch
On Error GoTo 0
CheckErr ERR_NOT_OWNER, "Unlock: this object does not hold the region's lock (Lock was not called on it, Lock timed out and returned False, or every Lock was already matched by Unlock)", _
         "Unlock of a lock not held"
On Error Resume Next
x = r.Lock(-2) : Catch
On Error GoTo 0
CheckErr E_INVALIDARG, "Lock: timeoutMs -2 is negative (use -1 to wait forever)", "Lock(-2)"
Check r.WaitSignal(100) = False, "WaitSignal(100) without Signal times out (False)"
r.Signal
Check r.WaitSignal(0) = True, "WaitSignal(0) after Signal"
Check r.WaitSignal(0) = False, "the signal is auto-reset"
r.Signal
Check r.WaitSignal() = True, "WaitSignal with the timeout left out, after Signal"
On Error Resume Next
x = r.WaitSignal(-5) : Catch
On Error GoTo 0
CheckErr E_INVALIDARG, "WaitSignal: timeoutMs -5 is negative (use -1 to wait forever)", "WaitSignal(-5)"

' Another process takes the lock, waits for our Signal and exits still holding it.
Dim shell, cmd
Set shell = CreateObject("WScript.Shell")
cmd = """" & WScript.FullName & """ //nologo """ & WScript.ScriptFullName & """ hold-lock " & name
shell.Run cmd, 0, False
For i = 1 To 600
    If r.ReadByte(0) = 1 Then Exit For
    Pause 25
Next
Check r.ReadByte(0) = 1, "the helper process took the lock"
Check r.Lock(150) = False, "Lock(150) times out (False) while another process holds the lock"
r.Signal
Check r.Lock(20000) = True, "Lock succeeds once the holder has exited"
Check r.ReadByte(1) = 1, "the helper process received Signal in WaitSignal"
Check r.LockAbandoned, "LockAbandoned is True: the holder died holding the lock"
r.Unlock
Check r.Lock(0) = True, "Lock(0) again"
Check Not r.LockAbandoned, "LockAbandoned is reset by the next Lock"
r.Unlock
r.Close

' ==== OpenFile on a temporary file ====
' The checks are in a Sub called under On Error Resume Next: an unexpected error ends the Sub, is
' reported as a failure, and the temporary file is still deleted below.
Set fso = CreateObject("Scripting.FileSystemObject")
path = fso.BuildPath(fso.GetSpecialFolder(2), fso.GetTempName())

Sub OpenFileChecks()
    Set f = fso.CreateTextFile(path, True)
    f.Write "hello file"
    f.Close
    r.OpenFile path
    Check r.IsOpen And r.Size = 10, "OpenFile with size left out maps the file's 10 bytes, Size " & r.Size
    Check LCase(r.FilePath) = LCase(path), "FilePath is the file's full path: " & r.FilePath
    Check Not r.Created, "Created is False for OpenFile"
    Check r.Name = "", "an unnamed file mapping has no Name"
    Check r.ReadString(0, 10) = "hello file", "the file's bytes"
    r.WriteString 0, "HELLO", , False
    r.Flush
    r.Close
    Set f = fso.OpenTextFile(path, 1)
    x = f.ReadAll()
    f.Close
    Check x = "HELLO file", "WriteString + Flush reached the file: '" & x & "'"

    ' Grow to 4096 bytes, with a name that shares the mapping.
    r.OpenFile path, 4096, 0, stem & "-file"
    Check r.Size = 4096, "OpenFile with a size grows the mapping to 4096"
    Check r.Name = "Local\" & stem & "-file", "OpenFile with a name: " & r.Name
    Set r2 = CreateObject("SharedRegion.Region")
    r2.Open stem & "-file"
    r2.WriteInt32 4092, 31337
    Check r.ReadInt32(4092) = 31337, "another object opened the file mapping by its name"
    r2.Close
    r.Close
    Check fso.GetFile(path).Size = 4096, "the file grew to 4096 bytes, is " & fso.GetFile(path).Size

    ' ReadOnly and CopyOnWrite.
    r.OpenFile path, , 1
    Check r.Access = 1 And r.Size = 4096, "OpenFile ReadOnly with size left out"
    On Error Resume Next
    r.Fill 0, 1, 0 : Catch
    On Error GoTo 0
    CheckErr E_ACCESSDENIED, "Fill: the region is read-only", "Fill on a ReadOnly file"
    r.Close
    On Error Resume Next
    r.OpenFile path, 8192, 1 : Catch
    On Error GoTo 0
    CheckErr E_INVALIDARG, "OpenFile: size 8192 is larger than '" & path & "' (4096 bytes); only a ReadWrite mapping can grow a file", _
             "OpenFile ReadOnly cannot grow"
    Check Not r.IsOpen, "a failed OpenFile leaves the object closed"
    r.OpenFile path, 0, 2
    Check r.Access = 2, "OpenFile CopyOnWrite"
    r.WriteString 0, "private", , False
    Check r.ReadString(0, 7) = "private", "a CopyOnWrite region reads its own writes"
    r.Close
    Set f = fso.OpenTextFile(path, 1)
    x = f.Read(10)
    f.Close
    Check x = "HELLO file", "a CopyOnWrite write never reaches the file: '" & x & "'"

    ' Errors: an empty file, a missing file.
    Set f = fso.CreateTextFile(path, True)
    f.Close
    On Error Resume Next
    r.OpenFile path : Catch
    On Error GoTo 0
    CheckErrPrefix SR_E_EMPTYFILE, "OpenFile: '", "OpenFile of an empty file"
    Check InStr(ed, "' is empty; pass a size to grow it (ReadWrite only)") > 0, "the empty-file description says what to do: " & ed
    fso.DeleteFile path
    On Error Resume Next
    r.OpenFile path : Catch
    On Error GoTo 0
    CheckErrPrefix ERR_FILE_NOT_FOUND, "OpenFile: cannot open '", "OpenFile of a missing file"
    Check Right(ed, 10) = " (error 2)", "the missing-file description carries the system's message and code: " & ed
    On Error Resume Next
    r.OpenFile "" : Catch
    On Error GoTo 0
    CheckErr E_INVALIDARG, "OpenFile: the path is empty", "OpenFile of an empty path"
End Sub

On Error Resume Next
OpenFileChecks
If Err.Number <> 0 Then
    en = Err.Number : ed = Err.Description
    Err.Clear
    Check False, "the OpenFile checks stopped at an unexpected error " & Hex(en) & ": " & ed
End If
If IsObject(r2) Then r2.Close
r.Close
If fso.FileExists(path) Then fso.DeleteFile path
Err.Clear
On Error GoTo 0
Check Not fso.FileExists(path), "the temporary file " & path & " was deleted"

' ==== Data of every shape: typed values, arrays, ReadInto, structs, encodings (regions and views) ====
Dim dr, dv
Sub DataChecks()
    Dim x, a, b, n, i, big, edge, rec, names, slip
    Set dr = CreateObject("SharedRegion.Region")
    dr.Create "", 8192
    Set dv = dr.MapView(4096, 4096)

    ' Each type's extremes and one past them, at odd offsets, on the region and on the view.
    Dim t, o
    For Each t In Array(dr, dv)
        If t Is dr Then o = 0 Else o = 4096
        t.WriteInt8 1, -128
        t.WriteInt8 2, 127
        Check t.ReadInt8(1) = -128 And t.ReadInt8(2) = 127, "Int8 extremes round trip"
        Check dr.ReadByte(o + 1) = 128 And dr.ReadByte(o + 2) = 127, "Int8 extremes are the bytes 80 7F"
        On Error Resume Next
        t.WriteInt8 1, 128 : Catch
        On Error GoTo 0
        CheckErr E_INVALIDARG, "WriteInt8: value 128 is out of range; Int8 takes -128 to 127", "WriteInt8 one past the top"
        On Error Resume Next
        t.WriteInt8 1, -129 : Catch
        On Error GoTo 0
        CheckErr E_INVALIDARG, "WriteInt8: value -129 is out of range; Int8 takes -128 to 127", "WriteInt8 one past the bottom"
        Check t.ReadInt8(1) = -128, "a refused WriteInt8 leaves the byte as it was"
        t.WriteInt16 3, -32768
        t.WriteInt16 5, 32767
        Check t.ReadInt16(3) = -32768 And t.ReadInt16(5) = 32767, "Int16 extremes round trip"
        On Error Resume Next
        t.WriteInt16 3, 32768 : Catch
        On Error GoTo 0
        CheckErr E_INVALIDARG, "WriteInt16: value 32768 is out of range; Int16 takes -32768 to 32767", "WriteInt16 one past the top"
        t.WriteUInt16 7, 65535
        Check t.ReadUInt16(7) = 65535, "UInt16 65535 round trip"
        On Error Resume Next
        t.WriteUInt16 7, -1 : Catch
        On Error GoTo 0
        CheckErr E_INVALIDARG, "WriteUInt16: value -1 is out of range; UInt16 takes 0 to 65535", "WriteUInt16 -1"
        t.WriteUInt32 9, 4294967295
        Check t.ReadUInt32(9) = 4294967295, "UInt32 4294967295 round trip, got " & t.ReadUInt32(9)
        t.WriteUInt32 9, 3000000000
        Check t.ReadUInt32(9) = 3000000000 And dr.ReadInt32(o + 9) = -1294967296, "UInt32 above 2^31 is unsigned"
        On Error Resume Next
        t.WriteUInt32 9, 4294967296 : Catch
        On Error GoTo 0
        CheckErr E_INVALIDARG, "WriteUInt32: value 4294967296 is out of range; UInt32 takes 0 to 4294967295", "WriteUInt32 2^32"
        Check t.ReadUInt32(9) = 3000000000, "a refused WriteUInt32 leaves the bytes as they were"

        ' 64-bit: a digit string in, an exact Decimal out beyond 2^53; a Double up to it.
        t.WriteInt64 13, "-9223372036854775808"
        x = t.ReadInt64(13)
        Check VarType(x) = 14 And CStr(x) = "-9223372036854775808", "ReadInt64 of -2^63 is the exact Decimal, got " & VarType(x) & " " & CStr(x)
        t.WriteInt64 13, "9223372036854775807"
        x = t.ReadInt64(13)
        Check VarType(x) = 14 And CStr(x) = "9223372036854775807", "ReadInt64 of 2^63-1 is the exact Decimal"
        On Error Resume Next
        t.WriteInt64 13, "9223372036854775808" : Catch
        On Error GoTo 0
        CheckErr E_INVALIDARG, "WriteInt64: value 9223372036854775808 is out of range; Int64 takes -9223372036854775808 to 9223372036854775807", "WriteInt64 2^63"
        t.WriteUInt64 21, "18446744073709551615"
        x = t.ReadUInt64(21)
        Check VarType(x) = 14 And CStr(x) = "18446744073709551615", "ReadUInt64 of 2^64-1 is the exact Decimal"
        On Error Resume Next
        t.WriteUInt64 21, "18446744073709551616" : Catch
        On Error GoTo 0
        CheckErr E_INVALIDARG, "WriteUInt64: value 18446744073709551616 is out of range; UInt64 takes 0 to 18446744073709551615", "WriteUInt64 2^64"
        t.WriteUInt64 21, "9007199254740993"
        x = t.ReadUInt64(21)
        Check VarType(x) = 14 And CStr(x) = "9007199254740993", "2^53+1 comes back as a Decimal, not rounded"
        ' The Decimal goes back in as it came out (a variable: passed by reference).
        t.WriteInt64 29, x
        Check CStr(t.ReadInt64(29)) = "9007199254740993", "a Decimal written back is exact"
        t.WriteInt64 29, 9007199254740992
        x = t.ReadInt64(29)
        Check VarType(x) = vbDouble And x = 9007199254740992, "ReadInt64 of 2^53 is a Double"

        ' float32: ties to even, overflow refused.
        t.WriteSingle 37, 1 + 2 ^ -24
        Check t.ReadSingle(37) = 1, "WriteSingle rounds 1 + 2^-24 to even (1)"
        t.WriteSingle 37, 1 + 3 * 2 ^ -24
        Check t.ReadSingle(37) = 1 + 2 ^ -22, "WriteSingle rounds 1 + 3*2^-24 to even (1 + 2^-22)"
        On Error Resume Next
        t.WriteSingle 37, 3.5E+38 : Catch
        On Error GoTo 0
        CheckErrPrefix E_INVALIDARG, "WriteSingle: value 3.5", "WriteSingle beyond float32's range"
        Check t.ReadSingle(37) = 1 + 2 ^ -22, "a refused WriteSingle leaves the bytes as they were"
    Next

    ' Arrays: a 0-based Variant() that UBound and a(i) read.
    dr.WriteArray 100, Array(-1, 2, 300, -32768), "Int16"
    a = dr.ReadArray(100, 4, "h")
    Check UBound(a) = 3 And LBound(a) = 0, "ReadArray gives a 0-based array of 4, UBound " & UBound(a)
    Check a(0) = -1 And a(1) = 2 And a(2) = 300 And a(3) = -32768, "ReadArray's elements"
    n = dv.WriteArray(100, Array(1.5, -2.25), vbSingle)
    Check n = 2, "WriteArray returns the count, got " & n
    a = dv.ReadArray(100, 2, "Single")
    Check a(0) = 1.5 And a(1) = -2.25, "Single array round trip through a view (written as vbSingle)"
    dr.WriteArray 200, Array(0.1, -1E+300), vbDouble
    a = dr.ReadArray(200, 2, "float64")
    Check a(0) = 0.1 And a(1) = -1E+300, "vbDouble and ""float64"" are Double"
    dr.WriteArray 200, Array(-5, 70000), vbLong
    a = dr.ReadArray(200, 2, "i")
    Check a(0) = -5 And a(1) = 70000, "vbLong is Int32"
    dr.WriteArray 200, Array(-5, 300), vbInteger
    a = dr.ReadArray(200, 2, "int16")
    Check a(0) = -5 And a(1) = 300, "vbInteger is Int16"
    ' Records: a struct read by field name, names without case, For Each over the names.
    dr.Pack 300, "<hI4f", Array(-2, 3000000000, 1, 2, 3, 4)
    Set rec = dr.ReadRecord(300, "<level:h big:I slip:4f")
    Check rec.level = -2 And rec.BIG = 3000000000 And rec.Count = 3, "ReadRecord's fields by name"
    slip = rec("slip")                  ' a call's result is indexed through a variable (Wine's VBScript)
    Check rec.slip(2) = 3 And slip(0) = 1 And UBound(slip) = 3, "an array field, indexed through its argument"
    names = ""
    For Each n In rec
        names = names & n & ","
    Next
    Check names = "level,big,slip,", "For Each over a record gives its names: " & names
    Check rec.ToJson() = "{""level"":-2,""big"":3000000000,""slip"":[1,2,3,4]}", "ToJson: " & rec.ToJson()
    dr.WriteArray 200, Array(250, 7), vbByte
    a = dr.ReadArray(200, 2, "UINT8")
    Check a(0) = 250 And a(1) = 7, "vbByte is UInt8"
    On Error Resume Next
    n = dr.WriteArray(100, Array(1, 2, 128), "Int8") : Catch
    On Error GoTo 0
    CheckErr E_INVALIDARG, "WriteArray: element 2: value 128 is out of range; Int8 takes -128 to 127", "WriteArray with a bad element"
    a = dr.ReadArray(100, 4, "h")
    Check a(0) = -1 And a(2) = 300, "a refused WriteArray writes nothing"

    ' ReadInto: the script's own Byte() (a variable, passed by reference), filled in place.
    dr.WriteInt32 200, &H04030201
    dr.WriteInt32 204, &H08070605
    b = dr.ReadBytes(0, 8)
    n = dr.ReadInto(200, b)
    Check n = 8, "ReadInto returns the count, got " & n
    dr.WriteBytes 300, b
    Check dr.ReadInt32(300) = &H04030201 And dr.ReadInt32(304) = &H08070605, "ReadInto filled the caller's Byte()"
    On Error Resume Next
    n = dr.ReadInto(8190, b) : Catch
    On Error GoTo 0
    CheckErr E_INVALIDARG, "ReadInto: offset 8190 + count 8 is past the end of the region (8192 bytes)", "ReadInto past the end"
    On Error Resume Next
    n = dr.ReadInto(0, Array(1, 2)) : Catch
    On Error GoTo 0
    CheckErrPrefix DISP_E_TYPEMISMATCH, "ReadInto: buffer must be a Byte() array", "ReadInto of a Variant()"

    ' Structs: Pack, Unpack, CalcSize.
    Check dr.CalcSize("<hIqf") = 18, "CalcSize('<hIqf') = 18, got " & dr.CalcSize("<hIqf")
    Check dr.CalcSize("@bi") = 8, "CalcSize('@bi') is aligned natively: 8"
    n = dv.Pack(500, "<hIqf16s", Array(-2, 3000000000, "9007199254740993", 0.5, "frame"))
    Check n = 34, "Pack returns the bytes written, got " & n
    a = dv.Unpack(500, "<hIqf16s")
    Check UBound(a) = 4, "Unpack gives one element per field"
    Check a(0) = -2 And a(1) = 3000000000 And CStr(a(2)) = "9007199254740993" And a(3) = 0.5 And a(4) = "frame", _
          "Unpack's fields: " & a(0) & " " & a(1) & " " & CStr(a(2)) & " " & a(3) & " " & a(4)
    On Error Resume Next
    n = dv.Pack(500, "<hI", Array(1)) : Catch
    On Error GoTo 0
    CheckErr E_INVALIDARG, "Pack: format '<hI' has 2 fields, and 1 value was given", "Pack with too few values"
    On Error Resume Next
    n = dv.Pack(500, "<hI", Array(40000, 1)) : Catch
    On Error GoTo 0
    CheckErrPrefix E_INVALIDARG, "Pack: ", "Pack with a value out of range"
    Check dv.ReadInt16(500) = -2, "a refused Pack writes nothing"
    On Error Resume Next
    n = dr.CalcSize("<hZ") : Catch
    On Error GoTo 0
    CheckErrPrefix E_INVALIDARG, "CalcSize: ", "CalcSize of a bad format"
    Dim closed
    Set closed = CreateObject("SharedRegion.Region")
    Check closed.CalcSize("<d") = 8, "CalcSize works on a closed object"

    ' Encodings: a code page and latin-1; a character the encoding cannot hold is an error.
    n = dr.WriteString(600, "caf" & Chr(233), "cp1252")
    Check n = 5 And dr.ReadByte(603) = 233, "WriteString in cp1252 is one byte per character"
    Check dr.ReadString(600, , "latin-1") = "caf" & Chr(233), "ReadString in latin-1"
    On Error Resume Next
    n = dr.WriteString(610, "caf" & Chr(233), "ascii") : Catch
    On Error GoTo 0
    Check en = SR_E_BADENCODING, "WriteString of a non-ASCII character as ascii is SR_E_BADENCODING, got " & Hex(en)
    Check dr.ReadByte(610) = 0, "a refused WriteString writes nothing"

    ' A region over 64 MiB: values straddling the sliding window's edge.
    Set big = CreateObject("SharedRegion.Region")
    big.Create "", 67108864 + 65536
    edge = 67108864
    big.WriteInt64 edge - 3, "-9223372036854775807"
    x = big.ReadInt64(0)
    Check CStr(big.ReadInt64(edge - 3)) = "-9223372036854775807", "an Int64 across the 64 MiB window edge"
    big.WriteSingle edge - 1, -0.5
    Check big.ReadSingle(edge - 1) = -0.5, "a Single across the window edge"
    big.WriteArray edge - 6, Array(7, 8), "d"
    a = big.Unpack(edge - 6, "<dd")
    Check a(0) = 7 And a(1) = 8, "Unpack across the window edge"
    big.Close
    dr.Close
End Sub

On Error Resume Next
DataChecks
If Err.Number <> 0 Then
    en = Err.Number : ed = Err.Description
    Err.Clear
    Check False, "the data checks stopped at an unexpected error " & Hex(en) & ": " & ed
End If
On Error GoTo 0
' ==== end of Data of every shape ====
' ==== Foreign lock and signal objects, and CreateFile (LockName, SignalName, CreateFile) ====
Dim lr, lr2, lname, lpath
Sub ForeignChecks()
    Set lr = CreateObject("SharedRegion.Region")
    On Error Resume Next
    lr.LockName = "x" : Catch
    On Error GoTo 0
    CheckErrPrefix SR_E_NOTOPEN, "LockName: the region is not open", "LockName on a closed region"
    Check lr.LockName = "", "LockName of a closed region is empty: '" & lr.LockName & "'"
    lname = "sr-vbs-foreign-" & fso.GetTempName()
    lr.Create lname, 4096
    Check lr.LockName = "Local\" & lname & "@SharedRegion.Lock", "the derived LockName: " & lr.LockName
    Check lr.SignalName = "Local\" & lname & "@SharedRegion.Signal", "the derived SignalName: " & lr.SignalName
    On Error Resume Next
    lr.SignalName = "a\b" : Catch
    On Error GoTo 0
    CheckErrPrefix E_INVALIDARG, "SignalName: the name 'a\b' contains a backslash", "SignalName with a backslash"
    ' Another program's objects: a second region object plays the publisher, under its own names.
    Set lr2 = CreateObject("SharedRegion.Region")
    lr2.Create lname & "-publisher", 4096
    lr.LockName = lname & "-publisher@SharedRegion.Lock"
    lr.SignalName = "Local\" & lname & "-publisher@SharedRegion.Signal"
    Check lr.LockName = "Local\" & lname & "-publisher@SharedRegion.Lock", "LockName set: " & lr.LockName
    ' One thread holds a mutex through two objects as a mutex nests for its thread.
    Check lr2.Lock(0), "the publisher takes its lock"
    Check lr.Lock(100), "the region's Lock on the publisher's mutex nests on the same thread"
    lr.Unlock
    lr2.Unlock
    lr2.Signal
    Check lr.WaitSignal(1000), "WaitSignal sees the publisher's event"
    On Error Resume Next
    lr.LockName = "other" : Catch
    On Error GoTo 0
    CheckErrPrefix &H800700AA, "LockName: the region's lock mutex is already in use", "LockName after the first Lock"
    lr.Close
    lr2.Close
    ' CreateFile: a new zero-filled file, refused when it exists.
    lpath = fso.BuildPath(fso.GetSpecialFolder(2), fso.GetTempName())
    lr.CreateFile lpath, 10000
    Check lr.IsOpen And lr.Size = 10000 And lr.Created, "CreateFile opens a new 10000-byte region"
    Check lr.ReadInt32(9996) = 0, "a new file reads zero"
    lr.WriteString 0, "made by CreateFile"
    lr.Close
    Check fso.GetFile(lpath).Size = 10000, "the file is 10000 bytes"
    On Error Resume Next
    lr.CreateFile lpath, 4096 : Catch
    On Error GoTo 0
    CheckErrPrefix &H80070050, "CreateFile: '", "CreateFile of an existing path"
    Check InStr(ed, "already exists; CreateFile never overwrites a file") > 0, "the description says why: " & ed
    lr.OpenFile lpath
    Check lr.ReadString(0) = "made by CreateFile", "the file kept what was written"
    lr.Close
End Sub

On Error Resume Next
ForeignChecks
If Err.Number <> 0 Then
    en = Err.Number : ed = Err.Description
    Err.Clear
    Check False, "the LockName/SignalName/CreateFile checks stopped at an unexpected error " & Hex(en) & ": " & ed
End If
lr.Close
If IsObject(lr2) Then lr2.Close
If fso.FileExists(lpath) Then fso.DeleteFile lpath
Err.Clear
On Error GoTo 0
' ==== end of the foreign lock and signal objects, and CreateFile ====

' ==== Sizes and counts near the limits, strict text, typed writes that judge the value (issue 16) ====
Dim qr, qa
Set qr = CreateObject("SharedRegion.Region")
qr.Create "", 65536
qr.WriteBytes 0, Array(&HA1, &HA2, &HA3, &HA4)
' WriteInt32 and WriteByte take the script's own number: a fraction or a number out of range is refused,
' not rounded (2.5 stored 2, 3.5 stored 4) nor turned into DISP_E_OVERFLOW; nothing is written.
On Error Resume Next
qr.WriteInt32 0, 2.5 : Catch
On Error GoTo 0
CheckErr E_INVALIDARG, "WriteInt32: value 2.5 is not a whole number; Int32 takes whole numbers from -2147483648 to 2147483647", "WriteInt32 0, 2.5"
On Error Resume Next
qr.WriteInt32 0, 3000000000 : Catch
On Error GoTo 0
CheckErr E_INVALIDARG, "WriteInt32: value 3000000000 is out of range; Int32 takes -2147483648 to 2147483647", "WriteInt32 0, 3000000000"
On Error Resume Next
qr.WriteByte 0, 2.5 : Catch
On Error GoTo 0
CheckErr E_INVALIDARG, "WriteByte: value 2.5 is not a whole number; UInt8 takes whole numbers from 0 to 255", "WriteByte 0, 2.5"
Check qr.ReadInt32(0) = &HA4A3A2A1, "the refused writes wrote nothing"
qr.WriteInt32 0, -2147483648
Check qr.ReadInt32(0) = -2147483648, "WriteInt32 takes -2147483648"
' Struct sizes are checked after each code's padding; a format's length is capped; a NUL is refused.
On Error Resume Next
n = qr.CalcSize("2147483647xq") : Catch
On Error GoTo 0
CheckErr E_INVALIDARG, "CalcSize: format ""2147483647xq"": the struct is over 2147483647 bytes at position 11", "CalcSize of a struct padded past 2^31 - 1"
Check qr.CalcSize("2147483647x") = 2147483647, "CalcSize of 2^31 - 1 pad bytes"
On Error Resume Next
n = qr.CalcSize(String(65537, "x")) : Catch
On Error GoTo 0
CheckErr E_INVALIDARG, "CalcSize: the format is 65537 characters long, more than a format may have (65536)", "CalcSize of a 65537-character format"
Check qr.CalcSize(String(65536, "x")) = 65536, "CalcSize of a 65536-character format"
On Error Resume Next
n = qr.CalcSize("h" & Chr(0) & "q") : Catch
On Error GoTo 0
CheckErr E_INVALIDARG, "CalcSize: the format contains a NUL character at position 1", "CalcSize of a format with a NUL"
' Arrays of VARIANTs stay under 2^31 bytes: at most 89478485 elements.
On Error Resume Next
qa = qr.ReadArray(0, 178956971, "B") : Catch
On Error GoTo 0
CheckErr E_INVALIDARG, "ReadArray: count 178956971 is more than one call can return (89478485 elements)", "ReadArray of 178956971 bytes"
On Error Resume Next
qa = qr.Unpack(0, "178956971B") : Catch
On Error GoTo 0
CheckErr E_INVALIDARG, "Unpack: format ""178956971B"" has 178956971 fields, more than one call can return (89478485)", "Unpack of 178956971 fields"
' utf-16 is strict: an odd byte count and a surrogate alone are refused, read or written.
qr.WriteBytes 100, Array(Asc("a"), 0, Asc("b"))
On Error Resume Next
x = qr.ReadString(100, 3, "utf-16") : Catch
On Error GoTo 0
CheckErr SR_E_BADENCODING, "ReadString: the 3 bytes at offset 100 are not valid utf-16 (an odd number of bytes)", "ReadString of 3 bytes as utf-16"
If TryChrW(&HD800, "WriteString of a lone surrogate as utf-16") Then
    On Error Resume Next
    n = qr.WriteString(200, "x" & x, "utf-16") : Catch
    On Error GoTo 0
    CheckErr SR_E_BADENCODING, "WriteString: the text has an unpaired surrogate (U+D800 at position 1) and cannot be written as utf-16", "WriteString of a lone surrogate as utf-16"
    Check qr.ReadByte(200) = 0, "the refused WriteString wrote nothing"
End If
' Pack cuts a text field at a character boundary, so Unpack takes back what Pack wrote. The e acute
' comes from its latin-1 byte (an engine may lack ChrW).
qr.WriteBytes 400, Array(Asc("a"), &HE9, 0)
x = qr.ReadString(400, , "latin-1")
n = qr.Pack(300, "2s", Array(x))
Check n = 2 And qr.ReadByte(300) = Asc("a") And qr.ReadByte(301) = 0, "Pack '2s' of 'a' and e acute keeps 'a' alone (not half of the e acute)"
qa = qr.Unpack(300, "2s")
Check qa(0) = "a", "Unpack takes what Pack wrote: '" & qa(0) & "'"
' Code pages whose conversion cannot report an invalid byte are refused by name.
On Error Resume Next
x = qr.ReadString(0, , "cp65000") : Catch
On Error GoTo 0
CheckErr E_INVALIDARG, "ReadString: encoding 'cp65000': code page 65000 cannot be used: the system converts it without reporting invalid bytes, which would be read as text (UTF-7, ISO-2022, HZ, ISCII and Symbol code pages are refused)", "ReadString in cp65000"
qr.Close
' ==== end of sizes, strict text and typed writes ====

WScript.Echo "RESULT: " & passed & " passed, " & failed & " failed, " & skipped & " skipped"
If failed > 0 Then WScript.Quit 1
