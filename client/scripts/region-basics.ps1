<#
.SYNOPSIS
    SharedRegion from PowerShell: create a region, strings, bytes, typed values, views, errors.

.DESCRIPTION
    Written for Windows PowerShell 5.1 and PowerShell 7 on Windows, with sharedregion.dll
    registered (reg\register.cmd, or reg\register.cmd user for the current user only).

    NOT RUN by this project's tests: no PowerShell runs on the build and test platform (Linux with
    Wine, whose powershell.exe is a stub). The VBScript and JScript suites (tests/scripts/suite.*)
    exercise the same members under cscript; see docs/registration.md.

.EXAMPLE
    powershell -ExecutionPolicy Bypass -File region-basics.ps1
    pwsh -File region-basics.ps1
#>
Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'

# The HRESULT and the server's sentence behind a failed COM call. PowerShell wraps the COM error
# (a COMException carrying the HRESULT and IErrorInfo's description) in a MethodInvocationException.
function Show-ComError([System.Management.Automation.ErrorRecord] $record) {
    $e = $record.Exception
    while ($e.InnerException) { $e = $e.InnerException }
    '  failed: 0x{0:X8} {1}' -f $e.HResult, $e.Message
    '  (as PowerShell reports it: {0})' -f $record.Exception.Message
}

$name = "ps-demo-$PID"
$v = $null
$r = New-Object -ComObject SharedRegion.Region
try {
    $r.Create($name, 65536)                      # the optional sddl left out
    "Created {0}, {1} bytes, IsOpen {2}" -f $r.Name, $r.Size, $r.IsOpen

    # Strings: UTF-8 by default (NUL included in the count), or UTF-16.
    $n = $r.WriteString(0, "h$([char]0xE9)llo from PowerShell")
    "WriteString wrote $n bytes; ReadString: $($r.ReadString(0))"
    [void]$r.WriteString(100, 'wide', 'utf-16')
    # A middle optional argument left out: [Type]::Missing.
    "utf-16: $($r.ReadString(100, [Type]::Missing, 'utf-16'))"

    # Bytes: a [byte[]] goes in as Byte(); ReadBytes comes back as [byte[]].
    [byte[]] $data = 1, 2, 3, 255
    $r.WriteBytes(200, $data)
    [byte[]] $back = $r.ReadBytes(200, 4)
    "ReadBytes: $($back -join ', ') (type $($back.GetType().Name))"
    $r.WriteBytes(300, [object[]] @(7, 8, 9))     # an array of numbers works too

    # Typed access at any offset, little-endian.
    $r.WriteInt32(401, -123456789)
    $r.WriteDouble(501, [double] 1 / 3)
    "Int32 $($r.ReadInt32(401)), Double $($r.ReadDouble(501))"
    $r.Fill(1000, 16, 0xAB)
    $r.Flush()

    # A view at an unaligned offset; it outlives Close.
    $v = $r.MapView(12345, 1000)
    $v.WriteInt32(0, 4242)
    "View at $($v.Offset), $($v.Size) bytes; region reads $($r.ReadInt32(12345))"

    # Lock and signal (see lock-and-signal.ps1 for two processes).
    if ($r.Lock(1000)) { 'locked'; $r.Unlock() }
    $r.Signal()
    "WaitSignal(0) after Signal: $($r.WaitSignal(0))"

    # Errors carry the HRESULT and a sentence naming the method and the values.
    try { [void]$r.ReadBytes(70000, 16) } catch { Show-ComError $_ }   # 0x80070057 E_INVALIDARG
    try { $r.WriteByte(0, 300) } catch { Show-ComError $_ }

    $r.Close()
    "After Close the view still reads: $($v.ReadInt32(0))"
    try { [void]$r.ReadInt32(0) } catch { Show-ComError $_ }            # 0x80040201 SR_E_NOTOPEN
    $v.Unmap()
}
finally {
    # Release now rather than at garbage collection: the last reference closes every handle.
    if ($v) { [void][System.Runtime.InteropServices.Marshal]::ReleaseComObject($v) }
    [void][System.Runtime.InteropServices.Marshal]::ReleaseComObject($r)
}
