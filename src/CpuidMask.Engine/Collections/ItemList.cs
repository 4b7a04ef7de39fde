using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;

namespace CpuidMask.Engine.Collections
{
    /// <summary>
    /// An immutable list whose text form is its items, joined with "; ". Results expose their lists as this
    /// type because tools that print a value with ToString (PowerShell's Export-Csv and ConvertTo-Csv, string
    /// formatting in reports) would otherwise print the type name ("System.String[]") instead of the items.
    /// Everything else sees an ordinary read-only list (also through the non-generic IList that PowerShell
    /// indexes, negative indices included).
    /// </summary>
    public sealed class ItemList<T> : IReadOnlyList<T>, IList
    {
        /// <summary>What separates items in the text form: a comma alone would clash with the commas inside items.</summary>
        public const string Separator = "; ";

        private readonly T[] _items;
        private readonly Func<T, string>? _itemText;

        /// <param name="items">The items, copied.</param>
        /// <param name="itemText">How an item reads in the text form (default: its ToString), e.g. only a feature's name.</param>
        public ItemList(IEnumerable<T>? items, Func<T, string>? itemText = null)
        {
            _items = items?.ToArray() ?? Array.Empty<T>();
            _itemText = itemText;
        }

        public static ItemList<T> Empty { get; } = new ItemList<T>(null);

        public int Count => _items.Length;

        /// <summary>The same as <see cref="Count"/>, for scripts written when these lists were arrays.</summary>
        public int Length => _items.Length;

        bool IList.IsReadOnly => true;

        bool IList.IsFixedSize => true;

        bool ICollection.IsSynchronized => false;

        object ICollection.SyncRoot => _items;

        public T this[int index] => _items[index];

        object? IList.this[int index]
        {
            get => _items[index];
            set => throw ReadOnly();
        }

        public bool Contains(T item) => Array.IndexOf(_items, item) >= 0;

        public IEnumerator<T> GetEnumerator() => ((IEnumerable<T>)_items).GetEnumerator();

        IEnumerator IEnumerable.GetEnumerator() => _items.GetEnumerator();

        bool IList.Contains(object? value) => value is T item && Contains(item);

        int IList.IndexOf(object? value) => value is T item ? Array.IndexOf(_items, item) : -1;

        void ICollection.CopyTo(Array array, int index) => _items.CopyTo(array, index);

        int IList.Add(object? value) => throw ReadOnly();

        void IList.Clear() => throw ReadOnly();

        void IList.Insert(int index, object? value) => throw ReadOnly();

        void IList.Remove(object? value) => throw ReadOnly();

        void IList.RemoveAt(int index) => throw ReadOnly();

        public override string ToString() => string.Join(Separator, _items.Select(i => i == null ? string.Empty : _itemText?.Invoke(i) ?? i.ToString()));

        private static NotSupportedException ReadOnly() => new NotSupportedException("The list is read-only.");
    }

    /// <summary>Building <see cref="ItemList{T}"/> from a sequence.</summary>
    public static class ItemList
    {
        public static ItemList<T> ToItemList<T>(this IEnumerable<T>? items) => items as ItemList<T> ?? new ItemList<T>(items);

        public static ItemList<T> ToItemList<T>(this IEnumerable<T>? items, Func<T, string> itemText) => new ItemList<T>(items, itemText);
    }
}
