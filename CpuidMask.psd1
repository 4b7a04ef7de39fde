# Module manifest for CpuidMask: per-VM CPUID masks for vMotion between vSphere hosts with different CPUs.
# ModuleVersion is stamped by build.ps1 from Directory.Build.props (<VersionPrefix>), the one place the
# version lives; the value below is only a placeholder for the source tree.
@{
    RootModule           = 'CpuidMask.dll'
    ModuleVersion        = '0.0.0'
    GUID                 = '6f0d3c2e-8a41-4b6e-9d57-2c1e5a7b9f34'
    Author               = 'CpuidMask contributors'
    CompanyName          = 'CpuidMask contributors'
    Copyright            = '(c) CpuidMask contributors.'
    Description          = 'Computes, explains, writes and verifies per-VM CPUID masks so that VMs can vMotion between vSphere hosts whose CPUs differ, without a cluster EVC. Reads hosts through PowerCLI''s session or CPUID dump files.'
    CompatiblePSEditions = 'Desktop', 'Core'
    PowerShellVersion    = '5.1'
    # netstandard2.0 needs .NET Framework 4.7.2 or later under Windows PowerShell 5.1.
    DotNetFrameworkVersion = '4.7.2'
    RequiredAssemblies   = @('CpuidMask.Engine.dll', 'CpuidMask.Vim.dll')
    FormatsToProcess     = 'CpuidMask.Format.ps1xml'
    TypesToProcess       = 'CpuidMask.Types.ps1xml'
    CmdletsToExport      = @(
        'Compare-CpuidProfile'
        'Export-CpuidProfile'
        'Get-CpuidBaseline'
        'Get-CpuidFeature'
        'Get-HostCpuid'
        'Get-VmCpuidMask'
        'New-VmCpuidMask'
        'Set-VmCpuidMask'
        'Set-VmEvcMode'
        'Test-VmCpuidMask'
        'Undo-VmCpuidMask'
    )
    FunctionsToExport    = @()
    AliasesToExport      = @()
    VariablesToExport    = @()
    PrivateData          = @{
        PSData = @{
            Tags         = @('vSphere', 'VMware', 'vMotion', 'CPUID', 'EVC', 'PowerCLI', 'Virtualization', 'PSEdition_Desktop', 'PSEdition_Core', 'Windows', 'Linux', 'MacOS')
            # ProjectUri and LicenseUri go here once the project has a public home and a license file.
            ReleaseNotes = 'Get-HostCpuid, Compare-CpuidProfile, New-VmCpuidMask (also -Baseline, -AsLibvirt, -AsQemu, -AsPerVmEvc), Set-VmCpuidMask (with -Undo, and -Method PerVmEvc), Get-VmCpuidMask, Get-CpuidFeature, Get-CpuidBaseline (EVC modes, and the highest each host supports), Export-CpuidProfile (save profiles to a JSON file that Get-HostCpuid -Path reads back). Profiles, masks and results survive Export-Clixml and jobs whole; ConvertTo-Json and Export-Csv give readable values.'
        }
    }
}
