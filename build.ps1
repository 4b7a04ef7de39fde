#Requires -Version 5.1
<#
.SYNOPSIS
Builds, tests, documents and packages the CpuidMask PowerShell module.

.DESCRIPTION
Build   Generates the help (Docs), publishes src/CpuidMask.PowerShell and stages a loadable module
        folder artifacts/module/CpuidMask/<version>/ with the assemblies, the manifest (its
        ModuleVersion stamped from Directory.Build.props' VersionPrefix), the format and types files,
        the en-US help and the sample dumps the help examples read (samples/, from docs/samples).
Test    Runs the xunit projects (the vCenter simulator tests only when tests/vcsim is built), then
        builds the module and runs tests/*.Tests.ps1 against it in a fresh shell of the same kind
        (tests/Invoke-PesterSuite.ps1 finds Pester 5: the NuGet package restored by
        tests/tools/TestTools.csproj, or an installed module).
Docs    Generates en-US/CpuidMask.dll-Help.xml (MAML) from docs/*.md.
Package Builds, then zips the staged module folder into artifacts/CpuidMask-<version>.zip.

Runs in Windows PowerShell 5.1 and PowerShell 7; needs the .NET 10 SDK (dotnet) on PATH.

.PARAMETER Task
One or more of Build, Test, Docs, Package, run in the order given.

.PARAMETER Configuration
The dotnet build configuration; Release by default.

.EXAMPLE
./build.ps1 -Task Build
Import-Module ./artifacts/module/CpuidMask
#>
[CmdletBinding()]
param(
    [ValidateSet('Build', 'Test', 'Docs', 'Package')]
    [string[]] $Task = @('Build'),

    [ValidateSet('Debug', 'Release')]
    [string] $Configuration = 'Release'
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 3.0

$Repo = $PSScriptRoot
$Artifacts = Join-Path $Repo 'artifacts'
$ModuleProject = Join-Path $Repo 'src/CpuidMask.PowerShell/CpuidMask.PowerShell.csproj'
$HelpBuilderProject = Join-Path $Repo 'src/CpuidMask.HelpBuilder/CpuidMask.HelpBuilder.csproj'
$HelpFile = Join-Path $Repo 'en-US/CpuidMask.dll-Help.xml'
# The assemblies the module loads; PowerShell itself provides System.Management.Automation.
$ModuleAssemblies = @('CpuidMask.dll', 'CpuidMask.Engine.dll', 'CpuidMask.Vim.dll')

function Invoke-Dotnet {
    param([Parameter(Mandatory)] [string[]] $Arguments)
    Write-Verbose ("dotnet " + ($Arguments -join ' '))
    & dotnet @Arguments
    if ($LASTEXITCODE -ne 0) {
        throw "dotnet $($Arguments[0]) failed with exit code $LASTEXITCODE."
    }
}

function Get-ModuleVersion {
    # Directory.Build.props is the one place the version lives.
    $props = [xml](Get-Content -LiteralPath (Join-Path $Repo 'Directory.Build.props') -Raw)
    $node = $props.SelectSingleNode('/Project/PropertyGroup/VersionPrefix')
    $version = if ($node) { $node.InnerText.Trim() } else { '' }
    if (-not $version) {
        throw 'Directory.Build.props has no <VersionPrefix>.'
    }
    return [string]$version
}

function Invoke-HelpBuilder {
    param([Parameter(Mandatory)] [string[]] $Arguments)
    Invoke-Dotnet -Arguments (@('run', '--project', $HelpBuilderProject, '--configuration', $Configuration, '--') + $Arguments)
}

function Invoke-Docs {
    Write-Host "Docs: docs/*.md -> $HelpFile"
    Invoke-HelpBuilder -Arguments @('maml', '--docs', (Join-Path $Repo 'docs'), '--out', $HelpFile)
}

function Invoke-Build {
    Invoke-Docs
    $version = Get-ModuleVersion
    $publish = Join-Path $Artifacts 'publish/CpuidMask'
    $moduleRoot = Join-Path $Artifacts 'module/CpuidMask'
    $stage = Join-Path $moduleRoot $version

    Write-Host "Build: publishing $ModuleProject ($Configuration)"
    if (Test-Path -LiteralPath $publish) { Remove-Item -LiteralPath $publish -Recurse -Force }
    Invoke-Dotnet -Arguments @('publish', $ModuleProject, '--configuration', $Configuration, '--output', $publish, '--nologo')

    Write-Host "Build: staging $stage"
    if (Test-Path -LiteralPath $moduleRoot) { Remove-Item -LiteralPath $moduleRoot -Recurse -Force }
    New-Item -ItemType Directory -Path (Join-Path $stage 'en-US') -Force | Out-Null
    foreach ($assembly in $ModuleAssemblies) {
        Copy-Item -LiteralPath (Join-Path $publish $assembly) -Destination $stage
        $pdb = Join-Path $publish ([IO.Path]::ChangeExtension($assembly, '.pdb'))
        if (Test-Path -LiteralPath $pdb) { Copy-Item -LiteralPath $pdb -Destination $stage }
    }
    Copy-Item -LiteralPath (Join-Path $Repo 'CpuidMask.Format.ps1xml') -Destination $stage
    Copy-Item -LiteralPath (Join-Path $Repo 'CpuidMask.Types.ps1xml') -Destination $stage
    Copy-Item -LiteralPath $HelpFile -Destination (Join-Path $stage 'en-US')
    Copy-Item -LiteralPath (Join-Path $Repo 'en-US/about_CpuidMask.help.txt') -Destination (Join-Path $stage 'en-US')
    # The help examples read these through (Get-Module CpuidMask -ListAvailable)[0].ModuleBase, so that they run
    # as written wherever the module is installed.
    New-Item -ItemType Directory -Path (Join-Path $stage 'samples') -Force | Out-Null
    Copy-Item -Path (Join-Path $Repo 'docs/samples/*.txt') -Destination (Join-Path $stage 'samples')
    Invoke-HelpBuilder -Arguments @('stamp-manifest', '--manifest', (Join-Path $Repo 'CpuidMask.psd1'),
        '--props', (Join-Path $Repo 'Directory.Build.props'), '--out', (Join-Path $stage 'CpuidMask.psd1'))

    $manifest = Test-ModuleManifest -Path (Join-Path $stage 'CpuidMask.psd1') -ErrorAction Stop
    if ($manifest.Version -ne [version]$version) {
        throw "The staged manifest says version $($manifest.Version), Directory.Build.props says $version."
    }
    Write-Host "Build: CpuidMask $version is ready: Import-Module $moduleRoot"
}

function Invoke-Test {
    $simulator = Join-Path $Repo 'tests/vcsim/bin/vcsim'
    $hasSimulator = (Test-Path -LiteralPath $simulator) -or (Test-Path -LiteralPath "$simulator.exe")
    foreach ($project in Get-ChildItem -Path (Join-Path $Repo 'tests/*/*.Tests.csproj')) {
        if (-not $hasSimulator -and $project.BaseName -eq 'CpuidMask.Integration.Tests') {
            Write-Warning 'Skipping the vCenter simulator tests: tests/vcsim is not built (bash tests/vcsim/build.sh needs Go and govmomi).'
            continue
        }
        Write-Host "Test: $($project.BaseName)"
        Invoke-Dotnet -Arguments @('test', $project.FullName, '--configuration', $Configuration, '--nologo')
    }

    # Pester comes as a NuGet package (its tools/ folder is the module); restoring is quick when it is there.
    Invoke-Dotnet -Arguments @('restore', (Join-Path $Repo 'tests/tools/TestTools.csproj'), '--verbosity', 'quiet')
    Invoke-Build
    $manifest = Join-Path $Artifacts ('module/CpuidMask/{0}/CpuidMask.psd1' -f (Get-ModuleVersion))
    $results = Join-Path $Artifacts 'test-results'
    New-Item -ItemType Directory -Path $results -Force | Out-Null
    # A child process, so that the loaded CpuidMask.dll does not stay locked in this session.
    $shell = Get-ChildShell
    Write-Host "Test: Pester in $($shell -join ' ')"
    $arguments = @('-NoProfile', '-NonInteractive', '-File', (Join-Path $Repo 'tests/Invoke-PesterSuite.ps1'),
        '-Module', $manifest, '-ResultPath', (Join-Path $results 'pester.xml'))
    & $shell[0] @($shell | Select-Object -Skip 1) @arguments
    if ($LASTEXITCODE -ne 0) {
        throw "Pester tests failed or were skipped ($LASTEXITCODE)."
    }
}

function Get-ChildShell {
    # This shell's own executable and the arguments that start it again. PowerShell installed as a dotnet
    # tool runs as 'dotnet pwsh.dll', so the process path alone would start dotnet, not PowerShell.
    if ($PSVersionTable.PSEdition -eq 'Desktop') {
        return @((Join-Path $PSHOME 'powershell.exe'))
    }
    $process = [System.Diagnostics.Process]::GetCurrentProcess().MainModule.FileName
    if ([IO.Path]::GetFileNameWithoutExtension($process) -eq 'dotnet') {
        return @($process, (Join-Path $PSHOME 'pwsh.dll'))
    }
    return @($process)
}

function Invoke-Package {
    Invoke-Build
    $version = Get-ModuleVersion
    $zip = Join-Path $Artifacts "CpuidMask-$version.zip"
    if (Test-Path -LiteralPath $zip) { Remove-Item -LiteralPath $zip -Force }
    # The archive holds CpuidMask/<version>/..., ready to unpack into a folder of $env:PSModulePath.
    Compress-Archive -Path (Join-Path $Artifacts 'module/CpuidMask') -DestinationPath $zip
    Write-Host "Package: $zip"
}

Push-Location -LiteralPath $Repo
try {
    foreach ($step in $Task) {
        switch ($step) {
            'Build' { Invoke-Build }
            'Test' { Invoke-Test }
            'Docs' { Invoke-Docs }
            'Package' { Invoke-Package }
        }
    }
}
finally {
    Pop-Location
}
