using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;

namespace CpuidMask.Engine.Collections
{
    /// <summary>
    /// A read-only list whose items are computed when read and not kept: for results with more items than are
    /// worth holding (a million directions between a thousand hosts). It reads like <see cref="ItemList{T}"/>:
    /// also through the non-generic IList that PowerShell indexes, and its text form is its items joined with "; ".
    /// </summary>
    public sealed class ComputedList<T> : IReadOnlyList<T>, IList
    {
        private readonly Func<int, T> _item;

        public ComputedList(int count, Func<int, T> item)
        {
            if (count < 0)
            {
                throw new ArgumentOutOfRangeException(nameof(count));
            }

            Count = count;
            _item = item;
        }

        public int Count { get; }

        bool IList.IsReadOnly => true;

        bool IList.IsFixedSize => true;

        bool ICollection.IsSynchronized => false;

        object ICollection.SyncRoot => this;

        public T this[int index] => index >= 0 && index < Count ? _item(index) : throw new ArgumentOutOfRangeException(nameof(index));

        object? IList.this[int index]
        {
            get => this[index];
            set => throw ReadOnly();
        }

        public IEnumerator<T> GetEnumerator()
        {
            for (int i = 0; i < Count; i++)
            {
                yield return _item(i);
            }
        }

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

        bool IList.Contains(object? value) => ((IList)this).IndexOf(value) >= 0;

        int IList.IndexOf(object? value)
        {
            int i = 0;
            foreach (var item in this)
            {
                if (Equals(item, value))
                {
                    return i;
                }

                i++;
            }

            return -1;
        }

        void ICollection.CopyTo(Array array, int index)
        {
            foreach (var item in this)
            {
                array.SetValue(item, index++);
            }
        }

        int IList.Add(object? value) => throw ReadOnly();

        void IList.Clear() => throw ReadOnly();

        void IList.Insert(int index, object? value) => throw ReadOnly();

        void IList.Remove(object? value) => throw ReadOnly();

        void IList.RemoveAt(int index) => throw ReadOnly();

        public override string ToString() => string.Join(ItemList<T>.Separator, this.Select(i => i?.ToString() ?? string.Empty));

        private static NotSupportedException ReadOnly() => new NotSupportedException("The list is read-only.");
    }
}
