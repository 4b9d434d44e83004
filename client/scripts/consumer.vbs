' SharedRegion example: the consumer of the two-terminal walk-through (docs/client.md).
'
'   cscript //nologo consumer.vbs NAME [/nosignal]
'
' Opens the region NAME (read-only) that a producer holds, for example
'   srclient create NAME 64K --text "Hello" --signal
'   srclient write NAME --offset 0x100 --hex "de ad be ef 01 02 03 04"
'   srclient write NAME --offset 0x200 --int32 12345
' and prints what it finds there: the text at offset 0, the 8 bytes at 0x100 and the 32-bit
' integer at 0x200. Then it signals the region, which releases a producer that holds it with
' --signal (unless /nosignal is given).
'
' Exit codes: 0 read and printed, 2 usage, 3 no region of that name, 1 any other error.
Option Explicit

Dim args, name, signal, r, text, bytes, i, value

Set args = WScript.Arguments
If args.Count < 1 Or args.Count > 2 Then
    WScript.Echo "usage: cscript //nologo consumer.vbs NAME [/nosignal]"
    WScript.Quit 2
End If
name = args(0)
signal = True
If args.Count = 2 Then
    If LCase(args(1)) = "/nosignal" Then
        signal = False
    Else
        WScript.Echo "usage: cscript //nologo consumer.vbs NAME [/nosignal]"
        WScript.Quit 2
    End If
End If

Function Hex2(b)
    Hex2 = Right("0" & LCase(Hex(b)), 2)
End Function

' A failed call: print the server's description and leave with a code scripts can test.
Sub Fail(what)
    Dim code
    WScript.Echo "consumer: " & what & " failed: " & Err.Description & " (0x" & Hex(Err.Number) & ")"
    If Err.Number = &H80070002 Then code = 3 Else code = 1
    WScript.Quit code
End Sub

On Error Resume Next
Set r = CreateObject("SharedRegion.Region")
If Err.Number <> 0 Then Fail "CreateObject(""SharedRegion.Region"")"
r.Open name, 1                        ' 1 = ReadOnly: the consumer only reads
If Err.Number <> 0 Then Fail "Open"
WScript.Echo "consumer: opened " & r.Name & " (" & r.Size & " bytes, read-only)"

text = r.ReadString(0)
If Err.Number <> 0 Then Fail "ReadString"
WScript.Echo "consumer: text at 0: " & text

' Byte by byte: ReadByte gives numbers a script can format.
bytes = ""
For i = 0 To 7
    If i > 0 Then bytes = bytes & " "
    bytes = bytes & Hex2(r.ReadByte(&H100 + i))
    If Err.Number <> 0 Then Fail "ReadByte"
Next
WScript.Echo "consumer: bytes at 0x100: " & bytes

value = r.ReadInt32(&H200)
If Err.Number <> 0 Then Fail "ReadInt32"
WScript.Echo "consumer: int32 at 0x200: " & value

If signal Then
    r.Signal
    If Err.Number <> 0 Then Fail "Signal"
    WScript.Echo "consumer: signalled " & r.Name & " (a producer holding it with --signal lets go)"
End If
r.Close
WScript.Quit 0
