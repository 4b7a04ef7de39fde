using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using CpuidMask.Engine;
using CpuidMask.Engine.Catalog;
using CpuidMask.PowerShell.Completion;

namespace CpuidMask.PowerShell.Commands
{
    /// <summary>Looks CPUID features up in the catalog: by name, alias, Linux flag, vSphere key or vCenter's wording.</summary>
    [Cmdlet(VerbsCommon.Get, "CpuidFeature", DefaultParameterSetName = NameSet)]
    [OutputType(typeof(FeatureDefinition))]
    public sealed class GetCpuidFeatureCommand : CpuidMaskCmdlet
    {
        private const string NameSet = "Name";

        private readonly HashSet<string> _written = new HashSet<string>(StringComparer.OrdinalIgnoreCase);

        /// <summary>Feature names or aliases; wildcards allowed. All features when omitted.</summary>
        [Parameter(ParameterSetName = NameSet, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [Alias("Feature")]
        [SupportsWildcards]
        [ArgumentCompleter(typeof(FeatureNameCompleter))]
        [ValidateNotNullOrEmpty]
        public string[]? Name { get; set; }

        /// <summary>Only the features vCenter compares when it checks a vMotion.</summary>
        [Parameter]
        public SwitchParameter Tracked { get; set; }

        protected override void ProcessRecord()
        {
            var catalog = Catalog;
            if (Name == null || Name.Length == 0)
            {
                Write(catalog.Features);
                return;
            }

            foreach (string name in Name)
            {
                if (WildcardPattern.ContainsWildcardCharacters(name))
                {
                    Write(catalog.Match(name));
                    continue;
                }

                try
                {
                    Write(new[] { catalog.Find(name) });
                }
                catch (CpuidMaskException ex)
                {
                    WriteItemError(ex, name);
                }
            }
        }

        private void Write(IEnumerable<FeatureDefinition> features)
        {
            foreach (var feature in features.Where(f => !Tracked || f.Tracked))
            {
                if (_written.Add(feature.Name))
                {
                    WriteObject(feature);
                }
            }
        }
    }
}
