' SharedRegion benchmark: late binding from VBScript, as a ratio measured in one run.
' The same loop of N calls, once over a region's ReadInt32 and once over a Scripting.Dictionary's
' Item, timed one after the other in alternating order after a warm-up of each, repeated; the
' figure is the median of the per-repetition ratios (region time / dictionary time).
' Usage: cscript //nologo late.vbs [REPS] [N]      Output: one "ROW|..." line for bench/run.
Option Explicit

Dim reps, n, r, d, k, tr, td, ratios(30), times_r(30), times_d(30)
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
r.Close
