' SharedRegion from VBScript (the README's example): cscript //nologo hello.vbs
Set region = CreateObject("SharedRegion.Region")
region.Create "HelloSharedRegion", 65536
region.WriteString 0, "hello from VBScript"
region.WriteInt32 100, 42
WScript.Echo "text: " & region.ReadString(0) & ", number: " & region.ReadInt32(100)

Set view = region.MapView(100, 4)        ' any offset; the alignment is the server's business
WScript.Echo "through a view: " & view.ReadInt32(0)

On Error Resume Next
region.ReadBytes 70000, 16
WScript.Echo "error " & Hex(Err.Number) & ": " & Err.Description
On Error GoTo 0
region.Close                             ' the view stays valid until it goes
WScript.Echo "view after Close: " & view.ReadInt32(0)
