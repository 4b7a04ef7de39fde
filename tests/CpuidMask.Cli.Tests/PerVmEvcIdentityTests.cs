using System;
using System.IO;
using System.Linq;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using CpuidMask.Cli.Commands;
using CpuidMask.Engine;
using CpuidMask.Engine.Catalog;
using CpuidMask.Engine.Export;
using Xunit;

namespace CpuidMask.Cli.Tests
{
    /// <summary>A per-VM EVC mode the catalog has no CPU identity for: the way out in cpuidmask's options, and that it works.</summary>
    public class PerVmEvcIdentityTests
    {
        [Fact]
        public void RemedyWording_PerVmEvcWithoutIdentity_NamesTheCliWaysOut()
        {
            var ex = Assert.Throws<CpuidMaskException>(() => PerVmEvcMask.FromBaseline(WithoutIdentity().Find("intel-haswell"), WithoutIdentity()));

            string message = RemedyWording.Describe(ex);

            Assert.Equal(RemedyKind.VCenterEvcMode, ex.Remedy!.Kind);
            Assert.DoesNotContain("--", ex.Message, StringComparison.Ordinal);
            Assert.Contains("'cpuidmask mask --baseline intel-haswell --format pervmevc --evc-mode-file F'", message, StringComparison.Ordinal);
            Assert.Contains("'cpuidmask apply --method PerVmEvc --baseline intel-haswell'", message, StringComparison.Ordinal);
            Assert.Contains("'cpuidmask apply --baseline intel-haswell'", message, StringComparison.Ordinal);
            Assert.DoesNotMatch(new Regex(@"Set-Vm|(^|\s)-[A-Z]"), message);
        }

        [Fact]
        public void MaskPerVmEvc_ModeWithoutIdentityFromAVCentersModeFile_TakesTheVCentersEntries()
        {
            // The remedy above sends the user to --evc-mode-file: it must not need the identity the catalog lacks.
            var catalog = WithoutIdentity();
            string file = Path.GetTempFileName();
            try
            {
                File.WriteAllText(file, "[ { \"key\": \"intel-haswell\", \"featureMask\": [ { \"key\": \"cpuid.Intel\", \"featureName\": \"cpuid.Intel\", \"value\": \"Val:1\" }, { \"key\": \"cpuid.AVX2\", \"featureName\": \"cpuid.AVX2\", \"value\": \"Val:1\" } ] } ]");
                var output = new StringWriter();

                BaselineMaskOutput.WritePerVmEvc(new CliContext(output, new StringWriter(), TextReader.Null, _ => null), catalog.Find("intel-haswell"), catalog, null, file);

                var json = JsonNode.Parse(output.ToString())!;
                Assert.Equal(new[] { "cpuid.Intel", "cpuid.AVX2" }, json["featureMask"]!.AsArray().Select(e => (string)e!["key"]!));
                Assert.Equal(file, (string?)json["origin"]);
                Assert.Empty(json["differencesFromCatalog"]!.AsArray());
            }
            finally
            {
                File.Delete(file);
            }
        }

        // The shipped catalog, with intel-haswell's identity taken out.
        private static BaselineCatalog WithoutIdentity()
        {
            using var stream = typeof(BaselineCatalog).Assembly.GetManifestResourceStream("CpuidMask.Engine.Data.baselines.xml")!;
            var document = XDocument.Load(stream);
            document.Descendants().Single(e => e.Name.LocalName == "baseline" && (string?)e.Attribute("key") == "intel-haswell")
                .Elements().Single(e => e.Name.LocalName == "identity").Remove();
            return BaselineCatalog.Load(document, "baselines.xml");
        }
    }
}
