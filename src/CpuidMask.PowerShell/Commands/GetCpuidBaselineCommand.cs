using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using CpuidMask.Engine;
using CpuidMask.Engine.Analysis;
using CpuidMask.Engine.Catalog;
using CpuidMask.Engine.Model;
using CpuidMask.PowerShell.Completion;

namespace CpuidMask.PowerShell.Commands
{
    /// <summary>
    /// The named baselines (vSphere's EVC modes, as data): the catalog by key, wildcard or vendor; or, for
    /// host profiles, the highest mode each host and all of them together support, with what keeps them
    /// from the next mode up.
    /// </summary>
    [Cmdlet(VerbsCommon.Get, "CpuidBaseline", DefaultParameterSetName = KeySet)]
    [OutputType(typeof(Baseline), ParameterSetName = new[] { KeySet })]
    [OutputType(typeof(CpuidBaselineClassification), ParameterSetName = new[] { ProfileSet })]
    public sealed class GetCpuidBaselineCommand : CpuidMaskCmdlet
    {
        private const string KeySet = "Key";
        private const string ProfileSet = "Profile";

        private readonly HashSet<string> _written = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        private readonly List<CpuidProfile> _profiles = new List<CpuidProfile>();
        private BaselineCatalog? _baselines;

        /// <summary>EVC mode keys such as intel-westmere; wildcards allowed. All baselines when omitted.</summary>
        [Parameter(ParameterSetName = KeySet, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [Alias("Name")]
        [SupportsWildcards]
        [ArgumentCompleter(typeof(BaselineKeyCompleter))]
        [ValidateNotNullOrEmpty]
        public string[]? Key { get; set; }

        /// <summary>Only the baselines of this CPU vendor.</summary>
        [Parameter(ParameterSetName = KeySet)]
        public BaselineVendor Vendor { get; set; }

        /// <summary>Host profiles (Get-HostCpuid output) to classify; all of them together as well.</summary>
        [Parameter(ParameterSetName = ProfileSet, Mandatory = true, ValueFromPipeline = true)]
        [ValidateNotNullOrEmpty]
        public CpuidProfile[] Profile { get; set; } = Array.Empty<CpuidProfile>();

        /// <summary>
        /// With -Profile: classify the hosts for a VM of this virtual hardware version (14 or vmx-14; default the newest
        /// the catalog knows): a mode's features such a VM cannot see are not required of the hosts.
        /// </summary>
        [Parameter(ParameterSetName = ProfileSet)]
        [ArgumentCompleter(typeof(HardwareVersionCompleter))]
        [ValidateNotNullOrEmpty]
        public string? HardwareVersion { get; set; }

        private int? _hardwareVersion;

        private BaselineCatalog Baselines
        {
            get
            {
                if (_baselines == null)
                {
                    try
                    {
                        _baselines = BaselineCatalog.Default;
                    }
                    catch (CpuidMaskException ex)
                    {
                        throw Terminate(ex);
                    }
                }

                return _baselines;
            }
        }

        protected override void BeginProcessing()
        {
            if (ParameterSetName == ProfileSet)
            {
                _hardwareVersion = ParseHardwareVersion(HardwareVersion, Baselines.Features);
            }
        }

        protected override void ProcessRecord()
        {
            if (ParameterSetName == ProfileSet)
            {
                _profiles.AddRange(Profile.Where(p => p != null));
                return;
            }

            var catalog = Baselines;
            if (Key == null || Key.Length == 0)
            {
                Write(catalog.Baselines);
                return;
            }

            foreach (string key in Key)
            {
                if (WildcardPattern.ContainsWildcardCharacters(key))
                {
                    var pattern = new WildcardPattern(key.Trim(), WildcardOptions.IgnoreCase | WildcardOptions.CultureInvariant);
                    Write(catalog.Baselines.Where(b => pattern.IsMatch(b.Key)));
                    continue;
                }

                try
                {
                    Write(new[] { catalog.Find(key) });
                }
                catch (CpuidMaskException ex) when (MyInvocation.ExpectingInput && ex.ErrorId == "BaselineNotFound")
                {
                    // Profiles that Import-Clixml read before the module was loaded are property bags: their Name
                    // binds to -Key here before anything can turn them back into profiles.
                    WriteItemError(
                        new CpuidMaskException(
                            ex.ErrorId,
                            ex.Kind,
                            ex.Message + " If you piped CPU profiles read back by Import-Clixml before CpuidMask was loaded, pass them with -Profile, or run Import-Module CpuidMask before Import-Clixml.",
                            ex.Target,
                            ex),
                        key);
                }
                catch (CpuidMaskException ex)
                {
                    WriteItemError(ex, key);
                }
            }
        }

        protected override void EndProcessing()
        {
            if (ParameterSetName != ProfileSet || _profiles.Count == 0)
            {
                return;
            }

            // A whole inventory (Get-VMHost | ...) often mixes Intel and AMD hosts: no mode spans them, so each
            // vendor gets its own common row instead of the command failing.
            var vendors = _profiles.GroupBy(p => p.Vendor).ToArray();
            if (vendors.Length > 1)
            {
                WriteWarning(
                    $"The hosts have CPUs of different vendors ({string.Join("; ", vendors.Select(g => g.Key + ": " + string.Join(", ", g.Select(p => p.Name))))}). " +
                    "A VM cannot move between vendors, so each vendor's hosts get their own common mode.");
            }

            foreach (var vendor in vendors)
            {
                Classify(vendor.ToArray(), vendors.Length > 1 ? $"(all {vendor.Key} hosts)" : "(all hosts)");
            }
        }

        private void Classify(IReadOnlyList<CpuidProfile> profiles, string commonName)
        {
            BaselineClassification result;
            try
            {
                result = new BaselineClassifier(Baselines, _hardwareVersion).Classify(profiles);
            }
            catch (CpuidMaskException ex)
            {
                throw Terminate(ex, ex.Target ?? profiles.Select(p => p.Name).ToArray());
            }

            foreach (var host in result.Hosts)
            {
                WriteObject(new CpuidBaselineClassification(host, isCommon: false));
            }

            var common = new CpuidBaselineClassification(result, isCommon: true, commonName);
            if (result.Highest == null)
            {
                WriteWarning($"{common.Name}: {result.Note}.");
            }

            foreach (var alternative in result.Alternatives)
            {
                WriteVerbose($"{common.Name}: also supported, and not below {result.HighestKey}: {alternative.Key}.");
            }

            WriteObject(common);
        }

        private void Write(IEnumerable<Baseline> baselines)
        {
            bool byVendor = MyInvocation.BoundParameters.ContainsKey(nameof(Vendor));
            foreach (var baseline in baselines.Where(b => !byVendor || b.Vendor == Vendor))
            {
                if (_written.Add(baseline.Key))
                {
                    WriteObject(baseline);
                }
            }
        }
    }
}
