' Reading what another program publishes (the README's worked example):
'   cscript //nologo telemetry.vbs [NAME] [handshake]
' A publisher (tests/helpers/publisher.c, plain Win32, no COM) keeps a packed C struct in the section
' Local\NAME, updates it under its own mutex Local\NAME_MUTEX and then sets its own auto-reset event
' Local\NAME_DataValidEvent, whose DACL lets everyone but its owner only wait on it. This script adopts
' that mutex and that event as they are (LockName, SignalName), waits for each frame, and decodes it
' with one Unpack call: float32, int16, uint16, uint32 above 2^31, int64 beyond 2^53 (an exact
' Decimal), wchar_t[33] and a cp1252 char[64]. It checks every field of every frame it sees and
' prints the last frame. With "handshake" (the test), it first sets Local\NAME_ReaderReady, which the
' publisher started with "wait" waits for before its frames 1 to 40, so that the script sees them one by one.
Option Explicit

Const FRAME = "<IfhHq33w64s"   ' struct { uint32; float; int16; uint16; int64; wchar_t[33]; char[64]; }
Const LAST_FRAME = 40
Dim name, r, scratch, f, n, i, frames, bad, handshake
name = "SharedRegionTelemetry"
If WScript.Arguments.Count > 0 Then name = WScript.Arguments(0)

' The decimal digits of s (a whole number) plus k (a small whole number), exactly.
Function AddDigits(s, k)
    Dim j, d, carry, res
    carry = k : res = ""
    For j = Len(s) To 1 Step -1
        d = CInt(Mid(s, j, 1)) + carry
        res = CStr(d Mod 10) & res
        carry = d \ 10
    Next
    If carry > 0 Then res = CStr(carry) & res
    AddDigits = res
End Function

' Characters beyond ASCII as \u00FC, so the output is the same on every console. The UTF-16 code units
' come from a region of our own (WriteString as "utf-16", then ReadUInt16): Wine's VBScript has no AscW.
Function Escaped(s)
    Dim j, c, res, bytes
    res = ""
    bytes = scratch.WriteString(0, s, "utf-16", False)
    For j = 0 To bytes - 2 Step 2
        c = scratch.ReadUInt16(j)
        If c >= 32 And c < 127 Then res = res & Mid(s, j \ 2 + 1, 1) Else res = res & "\u" & Right("000" & Hex(c), 4)
    Next
    Escaped = res
End Function

' What frame n holds (the publisher's formulas), against what Unpack returned.
Function Check(f, n)
    Dim why
    why = ""
    If f(0) <> 3000000000 + n Then why = why & " sequence"
    If f(1) <> CDbl(CSng(n * 1.25 + 0.1)) Then why = why & " speed"
    If f(2) <> (n Mod 8) - 1 Or TypeName(f(2)) <> "Integer" Then why = why & " gear"
    If f(3) <> n * 150 + 800 Then why = why & " rpm"
    If TypeName(f(4)) <> "Decimal" Or CStr(f(4)) <> AddDigits("9007199254740993", 2 * n) Then why = why & " odometer"
    If f(5) <> "Ayrton Senna da Silva #" & n Then why = why & " driver"
    If Escaped(f(6)) <> "N\u00FCrburgring \u2013 Caf\u00E9 Curve " & n Then why = why & " track"
    Check = why
End Function

' A region of our own: scratch space for Escaped, and its WaitSignal is the pause between tries
' (Wine's cscript has no WScript.Sleep).
Set scratch = CreateObject("SharedRegion.Region")
scratch.Create "", 4096

' The publisher may not be up yet: try for 30 s.
Set r = CreateObject("SharedRegion.Region")
On Error Resume Next
For i = 1 To 300
    Err.Clear
    r.Open name, 1                       ' RegionReadOnly: the publisher lets others only read
    If Err.Number = 0 Then Exit For
    scratch.WaitSignal 100
Next
If Err.Number <> 0 Then
    WScript.Echo "no publisher: " & Err.Description
    WScript.Quit 1
End If
Err.Clear
r.LockName = "Local\" & name & "_MUTEX"
r.SignalName = "Local\" & name & "_DataValidEvent"
If Err.Number <> 0 Then
    WScript.Echo "cannot adopt the publisher's mutex and event: " & Err.Description
    WScript.Quit 1
End If
On Error GoTo 0
handshake = WScript.Arguments.Count > 1
If handshake Then
    scratch.SignalName = "Local\" & name & "_ReaderReady"
    scratch.Signal
End If
WScript.Echo "reading " & r.Name & " (" & r.CalcSize(FRAME) & "-byte frames) through " & r.LockName & " and " & r.SignalName

frames = 0 : bad = 0 : n = 0
Do While n < LAST_FRAME
    If Not r.WaitSignal(10000) Then
        WScript.Echo "no new frame within 10 s (last: " & n & ")"
        WScript.Quit 1
    End If
    If Not r.Lock(10000) Then
        WScript.Echo "the publisher's mutex was not released within 10 s"
        WScript.Quit 1
    End If
    f = r.Unpack(0, FRAME, "cp1252")     ' one call, one consistent copy of the whole frame
    r.Unlock
    n = f(0) - 3000000000
    frames = frames + 1
    If Check(f, n) <> "" Then
        WScript.Echo "frame " & n & " is wrong:" & Check(f, n)
        bad = bad + 1
    End If
Loop

If bad = 0 Then WScript.Echo "every frame read was exact"
' Frames come 100 ms apart and each is read in far less, so a reader that said it is ready sees most.
If handshake And frames < 10 Then
    WScript.Echo "only " & frames & " of the 40 frames were read"
    bad = bad + 1
End If
WScript.Echo "frame " & n & ":"
WScript.Echo "  sequence  " & f(0) & " (" & TypeName(f(0)) & ")"
WScript.Echo "  speed     " & Replace(CStr(f(1)), ",", ".") & " (" & TypeName(f(1)) & ")"
WScript.Echo "  gear      " & f(2) & " (" & TypeName(f(2)) & ")"
WScript.Echo "  rpm       " & f(3) & " (" & TypeName(f(3)) & ")"
WScript.Echo "  odometer  " & CStr(f(4)) & " (" & TypeName(f(4)) & ")"
WScript.Echo "  driver    " & f(5)
WScript.Echo "  track     " & Escaped(f(6))
r.Close
scratch.Close
If bad > 0 Then WScript.Quit 1
