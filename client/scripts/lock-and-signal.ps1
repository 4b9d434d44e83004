<#
.SYNOPSIS
    SharedRegion between two PowerShell processes: a producer writes under the region's lock and
    signals; a consumer waits for the signal and reads.

.DESCRIPTION
    Written for Windows PowerShell 5.1 and PowerShell 7 on Windows, with sharedregion.dll
    registered. Start the consumer first, then the producer, in two windows:
        powershell -File lock-and-signal.ps1 -Role consumer
        powershell -File lock-and-signal.ps1 -Role producer

    NOT RUN by this project's tests: no PowerShell runs on the build and test platform (Linux with
    Wine, whose powershell.exe is a stub). The same lock and signal members are tested from VBScript
    and JScript with two cscript processes (tests/scripts/suite.*); see docs/registration.md.
#>
param(
    [Parameter(Mandatory)] [ValidateSet('producer', 'consumer')] [string] $Role,
    [string] $Name = 'ps-lock-and-signal',
    [int] $Count = 5
)
Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'

$r = New-Object -ComObject SharedRegion.Region
try {
    # The first process creates the region, the second opens it: OpenOrCreate says which.
    $created = $r.OpenOrCreate($Name, 4096)
    "$Role ($PID): region $($r.Name), created here: $created"
    for ($i = 1; $i -le $Count; $i++) {
        if ($Role -eq 'producer') {
            if (-not $r.Lock(5000)) { throw 'the lock was not free within 5 s' }
            try {
                if ($r.LockAbandoned) { 'the previous holder died holding the lock' }
                [void]$r.WriteString(8, "message $i from $PID")
                $r.WriteInt32(0, $i)
            }
            finally { $r.Unlock() }
            $r.Signal()
            Start-Sleep -Milliseconds 200
        }
        else {
            if (-not $r.WaitSignal(10000)) { 'no signal within 10 s'; break }
            if ($r.Lock(5000)) {
                try { "received #$($r.ReadInt32(0)): $($r.ReadString(8))" }
                finally { $r.Unlock() }
            }
        }
    }
}
catch {
    $e = $_.Exception
    while ($e.InnerException) { $e = $e.InnerException }
    Write-Error ('0x{0:X8} {1}' -f $e.HResult, $e.Message)
}
finally {
    [void][System.Runtime.InteropServices.Marshal]::ReleaseComObject($r)
}
