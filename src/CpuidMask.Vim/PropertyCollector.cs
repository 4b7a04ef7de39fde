using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using CpuidMask.Engine;
using CpuidMask.Vim.Methods;
using CpuidMask.Vim.Types;

namespace CpuidMask.Vim
{
    /// <summary>
    /// Reads properties of many objects in few round trips: one RetrievePropertiesEx for a set of
    /// objects or a container view, then ContinueRetrievePropertiesEx while the server has more pages.
    /// </summary>
    public sealed class PropertyCollector
    {
        private readonly VimService _service;
        private readonly ServiceContent _content;

        internal PropertyCollector(VimService service, ServiceContent content)
        {
            _service = service;
            _content = content;
        }

        /// <summary>Objects asked for per page; the server may send fewer.</summary>
        public int PageSize { get; set; } = 500;

        /// <summary>Properties <paramref name="paths"/> of the given objects (all of <paramref name="type"/>).</summary>
        public Task<IReadOnlyList<ObjectContent>> RetrieveAsync(
            IEnumerable<ManagedObjectReference> objects,
            string type,
            IEnumerable<string> paths,
            CancellationToken cancellationToken = default) =>
            RetrieveAsync(objects, type, paths, o => o, null, cancellationToken);

        /// <summary>
        /// As <see cref="RetrieveAsync(IEnumerable{ManagedObjectReference}, string, IEnumerable{string}, CancellationToken)"/>, each object
        /// decoded as it is read; <paramref name="objectsRead"/> as for <see cref="RetrieveAsync{T}(PropertyFilterSpec, Func{ObjectContent, T}, IProgress{int}, CancellationToken)"/>.
        /// </summary>
        public Task<IReadOnlyList<T>> RetrieveAsync<T>(
            IEnumerable<ManagedObjectReference> objects,
            string type,
            IEnumerable<string> paths,
            Func<ObjectContent, T> decode,
            IProgress<int>? objectsRead = null,
            CancellationToken cancellationToken = default)
        {
            var specs = objects.Distinct().Select(o => new ObjectSpec(o)).ToArray();
            if (specs.Length == 0)
            {
                return Task.FromResult<IReadOnlyList<T>>(Array.Empty<T>());
            }

            return RetrieveAsync(new PropertyFilterSpec(new[] { new PropertySpec(type, paths) }, specs), decode, objectsRead, cancellationToken);
        }

        /// <summary>Properties of every object of <paramref name="type"/> a ContainerView shows.</summary>
        public Task<IReadOnlyList<ObjectContent>> RetrieveFromViewAsync(
            ManagedObjectReference containerView,
            string type,
            IEnumerable<string> paths,
            CancellationToken cancellationToken = default) =>
            RetrieveFromViewAsync(containerView, type, paths, o => o, null, cancellationToken);

        /// <summary>
        /// As <see cref="RetrieveFromViewAsync(ManagedObjectReference, string, IEnumerable{string}, CancellationToken)"/>, each object
        /// decoded as it is read; <paramref name="objectsRead"/> as for <see cref="RetrieveAsync{T}(PropertyFilterSpec, Func{ObjectContent, T}, IProgress{int}, CancellationToken)"/>.
        /// </summary>
        public Task<IReadOnlyList<T>> RetrieveFromViewAsync<T>(
            ManagedObjectReference containerView,
            string type,
            IEnumerable<string> paths,
            Func<ObjectContent, T> decode,
            IProgress<int>? objectsRead = null,
            CancellationToken cancellationToken = default)
        {
            var objectSpec = new ObjectSpec(containerView)
            {
                Skip = true,
                SelectSet = new[] { TraversalSpec.ContainerViewToObjects() },
            };
            return RetrieveAsync(new PropertyFilterSpec(new[] { new PropertySpec(type, paths) }, new[] { objectSpec }), decode, objectsRead, cancellationToken);
        }

        /// <summary>
        /// Properties of every object of <paramref name="type"/> in the inventory: a ContainerView over
        /// the root folder, paged retrieval, and the view destroyed again, whatever the object count.
        /// </summary>
        public Task<IReadOnlyList<ObjectContent>> RetrieveAllAsync(string type, IEnumerable<string> paths, CancellationToken cancellationToken = default) =>
            RetrieveAllAsync(type, paths, o => o, null, cancellationToken);

        /// <summary>
        /// As <see cref="RetrieveAllAsync(string, IEnumerable{string}, CancellationToken)"/>, each object decoded as it is read;
        /// <paramref name="objectsRead"/> as for <see cref="RetrieveAsync{T}(PropertyFilterSpec, Func{ObjectContent, T}, IProgress{int}, CancellationToken)"/>.
        /// </summary>
        public async Task<IReadOnlyList<T>> RetrieveAllAsync<T>(
            string type,
            IEnumerable<string> paths,
            Func<ObjectContent, T> decode,
            IProgress<int>? objectsRead = null,
            CancellationToken cancellationToken = default)
        {
            var view = await _service.CreateContainerView(
                Require(_content.ViewManager, "viewManager"),
                Require(_content.RootFolder, "rootFolder"),
                new[] { type },
                recursive: true,
                cancellationToken).ConfigureAwait(false);
            bool destroy = true;
            try
            {
                return await RetrieveFromViewAsync(view, type, paths, decode, objectsRead, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException || (ex is CpuidMaskException c && c.Kind == ErrorKind.ConnectionError))
            {
                // The server is gone or the caller gave up: cleaning up would only wait out another timeout.
                destroy = false;
                throw;
            }
            finally
            {
                if (destroy)
                {
                    try
                    {
                        await _service.DestroyView(view, CancellationToken.None).ConfigureAwait(false);
                    }
                    catch (CpuidMaskException)
                    {
                        // Views die with the session anyway; a failed cleanup must not hide the result or the real error.
                    }
                }
            }
        }

        /// <summary>Runs one filter spec to the last page.</summary>
        public Task<IReadOnlyList<ObjectContent>> RetrieveAsync(PropertyFilterSpec spec, CancellationToken cancellationToken = default) =>
            RetrieveAsync(spec, o => o, null, cancellationToken);

        /// <summary>
        /// Runs one filter spec to the last page, each object turned into a <typeparamref name="T"/> as soon
        /// as it is read: only the decoded results are kept, never a page's XML. After each page,
        /// <paramref name="objectsRead"/> (if given) gets the number of objects read so far, on the thread that
        /// read the page: a read of thousands of objects is many pages, each a round trip.
        /// </summary>
        public async Task<IReadOnlyList<T>> RetrieveAsync<T>(
            PropertyFilterSpec spec,
            Func<ObjectContent, T> decode,
            IProgress<int>? objectsRead = null,
            CancellationToken cancellationToken = default)
        {
            var collector = Require(_content.PropertyCollector, "propertyCollector");
            var results = new List<T>();
            var page = await _service.RetrievePropertiesEx(collector, new[] { spec }, new RetrieveOptions { MaxObjects = PageSize }, decode, cancellationToken).ConfigureAwait(false);
            results.AddRange(page.Items);
            objectsRead?.Report(results.Count);
            while (!string.IsNullOrEmpty(page.Token))
            {
                page = await _service.ContinueRetrievePropertiesEx(collector, page.Token!, decode, cancellationToken).ConfigureAwait(false);
                results.AddRange(page.Items);
                objectsRead?.Report(results.Count);
            }

            return results;
        }

        private ManagedObjectReference Require(ManagedObjectReference? reference, string name) =>
            reference ?? throw new CpuidMaskException(
                VimErrorIds.ResponseMalformed,
                ErrorKind.InvalidData,
                $"{_service.Server} did not name its {name} in ServiceContent. Check that the address points at vCenter or ESXi.",
                _service.Server.ToString());
    }
}
