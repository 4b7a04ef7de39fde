using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using System.Xml.Linq;
using CpuidMask.Engine;
using CpuidMask.Vim.Soap;
using CpuidMask.Vim.Types;

namespace CpuidMask.Vim.Methods
{
    /// <summary>
    /// The vim25 methods this tool calls, one C# method per wire call. Names and parameters are the
    /// wire's (including <c>_this</c>, first), without the usual Async suffix, so each maps one-to-one to
    /// the vSphere API reference and to what a packet capture shows.
    /// </summary>
    public sealed class VimService
    {
        private readonly SoapTransport _transport;

        internal VimService(SoapTransport transport) => _transport = transport;

        public Uri Server => _transport.Server;

        public async Task<ServiceContent> RetrieveServiceContent(CancellationToken cancellationToken = default)
        {
            var response = await Invoke("RetrieveServiceContent", cancellationToken, ManagedObjectReference.ServiceInstance.ToXml("_this")).ConfigureAwait(false);
            return ServiceContent.FromXml(Returnval(response, "RetrieveServiceContent"));
        }

        /// <summary>Logs the session in. The password goes into this request's body and nowhere else.</summary>
        public async Task<UserSession> Login(ManagedObjectReference sessionManager, string userName, string password, CancellationToken cancellationToken = default)
        {
            _transport.Redactor.Add(password);
            var response = await Invoke(
                "Login",
                cancellationToken,
                sessionManager.ToXml("_this"),
                VimXml.Element("userName", userName),
                VimXml.Element("password", password)).ConfigureAwait(false);
            return UserSession.FromXml(Returnval(response, "Login"));
        }

        public Task Logout(ManagedObjectReference sessionManager, CancellationToken cancellationToken = default) =>
            Invoke("Logout", cancellationToken, sessionManager.ToXml("_this"));

        /// <summary>A view of all objects of the given types under <paramref name="container"/>; destroy it when done.</summary>
        public async Task<ManagedObjectReference> CreateContainerView(
            ManagedObjectReference viewManager,
            ManagedObjectReference container,
            IEnumerable<string> type,
            bool recursive,
            CancellationToken cancellationToken = default)
        {
            var response = await Invoke(
                "CreateContainerView",
                cancellationToken,
                viewManager.ToXml("_this"),
                container.ToXml("container"),
                type.Select(t => VimXml.Element("type", t)),
                VimXml.Element("recursive", VimXml.Format(recursive))).ConfigureAwait(false);
            return ManagedObjectReference.FromXml(Returnval(response, "CreateContainerView"))
                ?? throw Malformed("CreateContainerView", "a view reference");
        }

        public Task DestroyView(ManagedObjectReference view, CancellationToken cancellationToken = default) =>
            Invoke("DestroyView", cancellationToken, view.ToXml("_this"));

        /// <summary>The first page of properties; <see cref="RetrieveResult.Token"/> asks for the next.</summary>
        public async Task<RetrieveResult> RetrievePropertiesEx(
            ManagedObjectReference propertyCollector,
            IEnumerable<PropertyFilterSpec> specSet,
            RetrieveOptions options,
            CancellationToken cancellationToken = default) =>
            ToResult(await RetrievePropertiesEx(propertyCollector, specSet, options, o => o, cancellationToken).ConfigureAwait(false));

        /// <summary>
        /// The first page of properties, each object turned into a <typeparamref name="T"/> by
        /// <paramref name="decode"/> as soon as it is read (the page is never held as one XML tree).
        /// </summary>
        public Task<RetrievePage<T>> RetrievePropertiesEx<T>(
            ManagedObjectReference propertyCollector,
            IEnumerable<PropertyFilterSpec> specSet,
            RetrieveOptions options,
            Func<ObjectContent, T> decode,
            CancellationToken cancellationToken = default) =>
            // No matching objects: the response has no returnval at all.
            _transport.InvokeAsync(
                "RetrievePropertiesEx",
                new object?[] { propertyCollector.ToXml("_this"), specSet.Select(s => s.ToXml("specSet")), options.ToXml("options") },
                reader => RetrievePage<T>.Read(reader, decode, Server),
                cancellationToken);

        public async Task<RetrieveResult> ContinueRetrievePropertiesEx(ManagedObjectReference propertyCollector, string token, CancellationToken cancellationToken = default) =>
            ToResult(await ContinueRetrievePropertiesEx(propertyCollector, token, o => o, cancellationToken).ConfigureAwait(false));

        /// <summary>The next page, decoded as <see cref="RetrievePropertiesEx{T}"/> does.</summary>
        public Task<RetrievePage<T>> ContinueRetrievePropertiesEx<T>(
            ManagedObjectReference propertyCollector,
            string token,
            Func<ObjectContent, T> decode,
            CancellationToken cancellationToken = default) =>
            _transport.InvokeAsync(
                "ContinueRetrievePropertiesEx",
                new object?[] { propertyCollector.ToXml("_this"), VimXml.Element("token", token) },
                reader => RetrievePage<T>.Read(reader, decode, Server),
                cancellationToken);

        /// <summary>Frees the server-side state of an abandoned paged retrieval.</summary>
        public Task CancelRetrievePropertiesEx(ManagedObjectReference propertyCollector, string token, CancellationToken cancellationToken = default) =>
            Invoke("CancelRetrievePropertiesEx", cancellationToken, propertyCollector.ToXml("_this"), VimXml.Element("token", token));

        /// <summary>Starts a reconfigure; returns the Task to wait for.</summary>
        public async Task<ManagedObjectReference> ReconfigVM_Task(ManagedObjectReference vm, VirtualMachineConfigSpec spec, CancellationToken cancellationToken = default)
        {
            var response = await Invoke("ReconfigVM_Task", cancellationToken, vm.ToXml("_this"), spec.ToXml("spec")).ConfigureAwait(false);
            return ManagedObjectReference.FromXml(Returnval(response, "ReconfigVM_Task")) ?? throw Malformed("ReconfigVM_Task", "a task reference");
        }

        /// <summary>
        /// Applies per-VM EVC feature masks (vSphere 6.7+, hardware version 14+, VM powered off). A null
        /// or empty <paramref name="mask"/> clears per-VM EVC.
        /// </summary>
        public async Task<ManagedObjectReference> ApplyEvcModeVM_Task(
            ManagedObjectReference vm,
            IEnumerable<HostFeatureMask>? mask,
            bool? completeMasks,
            CancellationToken cancellationToken = default)
        {
            var response = await Invoke(
                "ApplyEvcModeVM_Task",
                cancellationToken,
                vm.ToXml("_this"),
                (mask ?? Enumerable.Empty<HostFeatureMask>()).Select(m => m.ToXml("mask")),
                VimXml.Optional("completeMasks", completeMasks)).ConfigureAwait(false);
            return ManagedObjectReference.FromXml(Returnval(response, "ApplyEvcModeVM_Task")) ?? throw Malformed("ApplyEvcModeVM_Task", "a task reference");
        }

        private static RetrieveResult ToResult(RetrievePage<ObjectContent> page) => new RetrieveResult { Token = page.Token, Objects = page.Items };

        private Task<XElement> Invoke(string method, CancellationToken cancellationToken, params object?[] parameters) =>
            _transport.InvokeAsync(method, parameters, cancellationToken);

        private XElement Returnval(XElement response, string method) =>
            response.Child("returnval") ?? throw Malformed(method, "a returnval");

        private CpuidMaskException Malformed(string method, string what) => new CpuidMaskException(
            VimErrorIds.ResponseMalformed,
            ErrorKind.InvalidData,
            $"{Server} answered {method} without {what}. Check that the address points at vCenter or ESXi.",
            Server.ToString());
    }
}
