using System;
using System.Linq;
using System.Management.Automation;
using CpuidMask.Engine;

namespace CpuidMask.PowerShell
{
    /// <summary>
    /// Keeps profiles, masks and results whole across Export-Clixml / Import-Clixml, Start-Job / Receive-Job and
    /// remoting. PowerShell serializes an object as a bag of its properties, and no cmdlet can take a bag for a
    /// CpuidProfile. CpuidMask.Types.ps1xml therefore gives each such type a hidden <c>SerializationData</c>
    /// property (<see cref="GetSerializationData"/>: the object as JSON, <see cref="SerializedForm"/>), makes the
    /// type the target of its <c>Deserialized.</c> form, and registers this converter for it: deserializing
    /// where the module is loaded gives the real object back, and a bag read before the module was loaded
    /// still converts when it is bound to a parameter of that type.
    /// </summary>
    public sealed class SerializationDataConverter : PSTypeConverter
    {
        /// <summary>The hidden property's name, as CpuidMask.Types.ps1xml declares it.</summary>
        public const string PropertyName = "SerializationData";

        /// <summary>The getter of the hidden SerializationData code property.</summary>
        public static string? GetSerializationData(PSObject instance) =>
            instance?.BaseObject is object value ? SerializedForm.Write(value) : null;

        public override bool CanConvertFrom(object sourceValue, Type destinationType) =>
            SerializedForm.Types.Contains(destinationType) && DataOf(sourceValue) != null;

        public override object ConvertFrom(object sourceValue, Type destinationType, IFormatProvider formatProvider, bool ignoreCase)
        {
            string data = DataOf(sourceValue) ?? throw new PSInvalidCastException(
                $"The object is not a serialized {destinationType.Name}: it has no {PropertyName} property. Objects saved by a CpuidMask without it cannot be rebuilt; read the hosts or VMs again.");
            try
            {
                return SerializedForm.Read(data, destinationType);
            }
            catch (CpuidMaskException ex)
            {
                // PowerShell then keeps the deserialized property bag (or reports the failed parameter binding).
                throw new PSInvalidCastException(ex.Message, ex);
            }
        }

        public override bool CanConvertTo(object sourceValue, Type destinationType) => false;

        public override object ConvertTo(object sourceValue, Type destinationType, IFormatProvider formatProvider, bool ignoreCase) =>
            throw new PSInvalidCastException($"A {sourceValue?.GetType().Name} does not convert to {destinationType.Name}.");

        private static string? DataOf(object? value) =>
            value is PSObject bag && bag.Properties[PropertyName]?.Value is object data ? (data as PSObject)?.BaseObject as string ?? data as string : null;
    }
}
