' SharedRegion benchmarks from VBScript, each a ratio measured in one run: two loops doing the same
' work, timed one after the other in alternating order after a warm-up of each, repeated; the
' figure is the median of the per-repetition ratios.
'   4v  N calls of a region's ReadInt32 against N of a Scripting.Dictionary's Item (late binding).
'   9u  one Unpack of a 23-field frame against the 23 typed calls that read the same fields.
'   10r one ReadRecord of the same frame, with a name on each of its 23 fields, and 23 reads of its
'       fields by name, against the same 23 typed calls.
'   9a  one ReadArray of 1000 float32 against 1000 ReadSingle calls.
' Usage: cscript //nologo late.vbs [REPS] [N]      Output: "ROW|..." lines for bench/run.
Option Explicit

Dim reps, n, r, d, k, tr, td, ratios(30), times_r(30), times_d(30)
Dim frames, arrays, fr, off, j, ratios2(30)
reps = 7 : n = 100000
If WScript.Arguments.Count > 0 Then reps = CInt(WScript.Arguments(0))
If reps < 1 Then reps = 1
If reps > 31 Then reps = 31
If WScript.Arguments.Count > 1 Then n = CLng(WScript.Arguments(1))

Set r = CreateObject("SharedRegion.Region")
r.Create "", 4096
r.WriteInt32 0, 42
Set d = CreateObject("Scripting.Dictionary")
d.Add "k", 42

' Seconds since t0 (Timer wraps at midnight).
Function Since(t0)
    Dim t
    t = Timer - t0
    If t < 0 Then t = t + 86400
    Since = t
End Function

Function LoopRegion(obj, count)
    Dim i, x, t0
    t0 = Timer
    For i = 1 To count
        x = obj.ReadInt32(0)
    Next
    LoopRegion = Since(t0)
End Function

Function LoopDictionary(obj, count)
    Dim i, x, t0
    t0 = Timer
    For i = 1 To count
        x = obj.Item("k")
    Next
    LoopDictionary = Since(t0)
End Function

' The median of values(0 .. count-1).
Function Median(values, count)
    Dim a(30), i, j, t, m
    m = count - 1
    For i = 0 To m : a(i) = values(i) : Next
    For i = 0 To m - 1
        For j = 0 To m - 1 - i
            If a(j) > a(j + 1) Then t = a(j) : a(j) = a(j + 1) : a(j + 1) = t
        Next
    Next
    If m Mod 2 = 0 Then Median = a(m \ 2) Else Median = (a(m \ 2) + a(m \ 2 + 1)) / 2
End Function

'' x rounded to places decimals, with a decimal point whatever the locale.
Function Num(x, places)
    Num = Replace(CStr(Int(x * 10 ^ places + 0.5) / 10 ^ places), ",", ".")
End Function

LoopRegion r, n \ 10
LoopDictionary d, n \ 10
For k = 0 To reps - 1
    If k Mod 2 = 0 Then
        tr = LoopRegion(r, n) : td = LoopDictionary(d, n)
    Else
        td = LoopDictionary(d, n) : tr = LoopRegion(r, n)
    End If
    times_r(k) = tr : times_d(k) = td
    ratios(k) = tr / td
Next

WScript.Echo "ROW|4v|Late binding, VBScript: loop of " & n & " r.ReadInt32(0) vs d.Item(""k"") (time)|" & _
    Num(Median(ratios, reps), 3) & "|<=|1.3|ReadInt32 loop " & Num(Median(times_r, reps), 3) & " s, Dictionary.Item loop " & _
    Num(Median(times_d, reps), 3) & " s"
' ---- 9u: a 23-field frame, "<4f4h4H4i3I2q2d" (92 bytes), by Unpack and by typed calls ----
Const FRAME = "<4f4h4H4i3I2q2d"
For j = 0 To 3 : r.WriteSingle j * 4, j + 0.5 : Next
For j = 0 To 3 : r.WriteInt16 16 + j * 2, -j : Next
For j = 0 To 3 : r.WriteUInt16 24 + j * 2, 60000 + j : Next
For j = 0 To 3 : r.WriteInt32 32 + j * 4, j * 1000 : Next
For j = 0 To 2 : r.WriteUInt32 48 + j * 4, 4000000000 + j : Next
For j = 0 To 1 : r.WriteInt64 60 + j * 8, "9007199254740993" : Next
For j = 0 To 1 : r.WriteDouble 76 + j * 8, j / 3 : Next

' Seconds per frame (rounds frames).
Function LoopUnpack(obj, rounds)
    Dim i, x, t0, fmt
    fmt = FRAME                          ' a local, as the typed loop's offsets are literals: no global lookup
    t0 = Timer
    For i = 1 To rounds
        x = obj.Unpack(0, fmt)
    Next
    LoopUnpack = Since(t0) / rounds
End Function

' The same calls without keeping the result: what VBScript's copy of a returned array costs.
Function LoopUnpackDropped(obj, rounds)
    Dim i, t0, fmt
    fmt = FRAME
    t0 = Timer
    For i = 1 To rounds
        obj.Unpack 0, fmt
    Next
    LoopUnpackDropped = Since(t0) / rounds
End Function

Function LoopTyped(obj, rounds)
    Dim i, x, t0
    t0 = Timer
    For i = 1 To rounds
        x = obj.ReadSingle(0) : x = obj.ReadSingle(4) : x = obj.ReadSingle(8) : x = obj.ReadSingle(12)
        x = obj.ReadInt16(16) : x = obj.ReadInt16(18) : x = obj.ReadInt16(20) : x = obj.ReadInt16(22)
        x = obj.ReadUInt16(24) : x = obj.ReadUInt16(26) : x = obj.ReadUInt16(28) : x = obj.ReadUInt16(30)
        x = obj.ReadInt32(32) : x = obj.ReadInt32(36) : x = obj.ReadInt32(40) : x = obj.ReadInt32(44)
        x = obj.ReadUInt32(48) : x = obj.ReadUInt32(52) : x = obj.ReadUInt32(56)
        x = obj.ReadInt64(60) : x = obj.ReadInt64(68)
        x = obj.ReadDouble(76) : x = obj.ReadDouble(84)
    Next
    LoopTyped = Since(t0) / rounds
End Function

' ---- 10r: the same frame as one record, its 23 fields named, read by name ----
Const NAMED = "<f0:f f1:f f2:f f3:f h0:h h1:h h2:h h3:h u0:H u1:H u2:H u3:H i0:i i1:i i2:i i3:i n0:I n1:I n2:I q0:q q1:q d0:d d1:d"

Function LoopRecord(obj, rounds)
    Dim i, x, t0, fmt, rec
    fmt = NAMED
    t0 = Timer
    For i = 1 To rounds
        Set rec = obj.ReadRecord(0, fmt)
        x = rec.f0 : x = rec.f1 : x = rec.f2 : x = rec.f3
        x = rec.h0 : x = rec.h1 : x = rec.h2 : x = rec.h3
        x = rec.u0 : x = rec.u1 : x = rec.u2 : x = rec.u3
        x = rec.i0 : x = rec.i1 : x = rec.i2 : x = rec.i3
        x = rec.n0 : x = rec.n1 : x = rec.n2
        x = rec.q0 : x = rec.q1
        x = rec.d0 : x = rec.d1
    Next
    LoopRecord = Since(t0) / rounds
End Function

' Seconds per 1000 elements.
Function LoopArray(obj, rounds)
    Dim i, x, t0
    t0 = Timer
    For i = 1 To rounds
        x = obj.ReadArray(0, 1000, "Single")
    Next
    LoopArray = Since(t0) / rounds
End Function

Function LoopSingles(obj, rounds)
    Dim i, k2, x, t0
    t0 = Timer
    For i = 1 To rounds
        For k2 = 0 To 3996 Step 4
            x = obj.ReadSingle(k2)
        Next
    Next
    LoopSingles = Since(t0) / rounds
End Function

' One timed loop by its name (Wine's VBScript has no GetRef to pass a function).
Function RunLoop(which, rounds)
    Select Case which
        Case "unpack" : RunLoop = LoopUnpack(r, rounds)
        Case "typed" : RunLoop = LoopTyped(r, rounds)
        Case "record" : RunLoop = LoopRecord(r, rounds)
        Case "array" : RunLoop = LoopArray(r, rounds)
        Case "singles" : RunLoop = LoopSingles(r, rounds)
    End Select
End Function

' Loop a (ra rounds) against loop b (rb rounds), in alternating order, reps times: times_r gets a's
' times, times_d b's, ratios b's over a's.
Sub Alternate(a, ra, b, rb)
    Dim i
    For i = 0 To reps - 1
        If i Mod 2 = 0 Then
            times_r(i) = RunLoop(a, ra) : times_d(i) = RunLoop(b, rb)
        Else
            times_d(i) = RunLoop(b, rb) : times_r(i) = RunLoop(a, ra)
        End If
        ratios(i) = times_d(i) / times_r(i)
    Next
End Sub

' The same fields both ways, checked once before they are timed.
fr = r.Unpack(0, FRAME)
If UBound(fr) <> 22 Or fr(3) <> 3.5 Or fr(8) <> 60000 Or CStr(fr(19)) <> "9007199254740993" Then
    WScript.Echo "Unpack does not read the frame the typed calls read"
    WScript.Quit 1
End If
frames = n \ 20 : If frames < 10 Then frames = 10
arrays = n \ 200 : If arrays < 10 Then arrays = 10
LoopUnpack r, frames \ 10 : LoopTyped r, frames \ 10
' Each timed loop runs about 0.2 s or more: Timer counts in 1/64 s steps under some hosts.
Alternate "unpack", frames * 8, "typed", frames
For k = 0 To reps - 1 : ratios2(k) = LoopUnpackDropped(r, frames * 8) : Next
WScript.Echo "ROW|9u|Unpack, VBScript: one Unpack of a 23-field frame vs 23 typed calls reading the same fields (times faster)|" & _
    Num(Median(ratios, reps), 3) & "|-|-1|Unpack " & Num(Median(times_r, reps) * 1e6, 2) & " us per frame, 23 typed calls " & _
    Num(Median(times_d, reps) * 1e6, 2) & " us per frame (format " & FRAME & ", 92 bytes); the same Unpack as a statement " & _
    "that drops its result " & Num(Median(ratios2, reps) * 1e6, 2) & " us, so the script engine's copy of the returned " & _
    "23-element array into the variable costs " & Num((Median(times_r, reps) - Median(ratios2, reps)) * 1e6, 2) & " us"

Set fr = r.ReadRecord(0, NAMED)
If fr.Count <> 23 Or fr.f3 <> 3.5 Or fr.u0 <> 60000 Or CStr(fr.q1) <> "9007199254740993" Or fr.d1 <> 1 / 3 Then
    WScript.Echo "ReadRecord does not read the frame the typed calls read"
    WScript.Quit 1
End If
LoopRecord r, frames \ 10 : LoopTyped r, frames \ 10
Alternate "record", frames * 2, "typed", frames
WScript.Echo "ROW|10r|ReadRecord, VBScript: one ReadRecord of the 23-field frame and 23 reads by name vs 23 typed calls (times faster)|" & _
    Num(Median(ratios, reps), 3) & "|-|-1|ReadRecord and 23 reads by name " & Num(Median(times_r, reps) * 1e6, 2) & _
    " us per frame, 23 typed calls " & Num(Median(times_d, reps) * 1e6, 2) & " us per frame (the 9u frame, a name on each field)"

LoopArray r, arrays \ 10 : LoopSingles r, arrays \ 100 + 1
Alternate "array", arrays * 10, "singles", arrays \ 10 + 1
WScript.Echo "ROW|9a|ReadArray, VBScript: ReadArray of 1000 float32 vs 1000 ReadSingle calls (times faster)|" & _
    Num(Median(ratios, reps), 3) & "|>=|20|ReadArray " & Num(Median(times_r, reps) * 1e6, 1) & " us, 1000 ReadSingle calls " & _
    Num(Median(times_d, reps) * 1e6, 1) & " us"

r.Close
