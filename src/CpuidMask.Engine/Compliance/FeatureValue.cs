using System;
using System.Globalization;

namespace CpuidMask.Engine.Compliance
{
    /// <summary>
    /// One vSphere feature triple as the API carries it: HostFeatureCapability, HostFeatureMask and
    /// VirtualMachineFeatureRequirement all have a key (e.g. cpuid.AVX2), a featureName (the same as the key)
    /// and an opaque value string.
    /// </summary>
    public sealed class VSphereFeature
    {
        public VSphereFeature(string key, string? value, string? featureName = null)
        {
            Key = key ?? string.Empty;
            Value = value ?? string.Empty;
            FeatureName = string.IsNullOrEmpty(featureName) ? Key : featureName!;
        }

        public string Key { get; }

        public string FeatureName { get; }

        public string Value { get; }

        public override string ToString() => $"{Key}={Value}";
    }

    /// <summary>How a requirement compares the host's capability value with its own number.</summary>
    public enum RequirementOperator
    {
        /// <summary>The host's value must be at least the number (Bool:Min:1 = the host must have the feature).</summary>
        Min,

        /// <summary>The host's value must be at most the number.</summary>
        Max,

        /// <summary>The host's value must equal the number.</summary>
        Equal,
    }

    /// <summary>
    /// A parsed feature value. Host capabilities are plain numbers ("1", "0", "0x80000008"); requirements and EVC
    /// masks put the operation in front ("Bool:Min:1", "Num:Min:0x8", "Val:0"). The API reference calls these values
    /// opaque, so only the forms seen in vCenter's data are understood; anything else parses as not understood.
    /// </summary>
    public static class FeatureValue
    {
        /// <summary>The number a capability (or mask) value ends in: "1", "0x1f", "true", "Val:0" and "Bool:Min:1" all parse.</summary>
        public static bool TryParseNumber(string? value, out long number)
        {
            number = 0;
            string text = (value ?? string.Empty).Trim();
            if (text.Length == 0 || text == "-")
            {
                return false;
            }

            if (bool.TryParse(text, out bool flag))
            {
                number = flag ? 1 : 0;
                return true;
            }

            int colon = text.LastIndexOf(':');
            string last = colon >= 0 ? text.Substring(colon + 1) : text;
            return last.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
                ? long.TryParse(last.Substring(2), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out number)
                : long.TryParse(last, NumberStyles.Integer, CultureInfo.InvariantCulture, out number);
        }

        /// <summary>
        /// Splits a requirement such as "Bool:Min:1" or "Num:Min:0x8" into its operation and number. A value without an
        /// operation ("1") is read as Min, the only operation vCenter's requirements use in the data we have seen.
        /// </summary>
        public static bool TryParseRequirement(string? value, out RequirementOperator op, out long number)
        {
            op = RequirementOperator.Min;
            if (!TryParseNumber(value, out number))
            {
                return false;
            }

            var parts = (value ?? string.Empty).Trim().Split(':');
            if (parts.Length < 2)
            {
                return true;
            }

            string operation = parts[parts.Length - 2];
            switch (operation.ToUpperInvariant())
            {
                case "MIN":
                    op = RequirementOperator.Min;
                    return true;
                case "MAX":
                    op = RequirementOperator.Max;
                    return true;
                case "EQ":
                case "VAL":
                    op = RequirementOperator.Equal;
                    return true;
                default:
                    return false;
            }
        }

        /// <summary>Whether a host whose capability is <paramref name="capability"/> meets the requirement.</summary>
        public static bool Meets(RequirementOperator op, long required, long capability) => op switch
        {
            RequirementOperator.Min => capability >= required,
            RequirementOperator.Max => capability <= required,
            _ => capability == required,
        };
    }
}
