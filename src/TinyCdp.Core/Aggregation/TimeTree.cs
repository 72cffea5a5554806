namespace TinyCdp.Aggregation;

/// <summary>
/// A sorted multiset of timed items that answers window questions ("how many, and what summary,
/// between these two instants") in O(log n), whatever order the items arrive in.
/// </summary>
/// <remarks>
/// <para>
/// Items are keyed by (ticks, order); the order breaks ties between equal times. The tree is a
/// treap (a search tree kept balanced in expectation by random heap priorities) whose nodes live
/// in one array and point at each other by index, so adding an item allocates nothing once the
/// array has grown. Every node caches its subtree's size and <typeparamref name="TSummary"/>.
/// </para>
/// <para>
/// Costs (n items): <see cref="Add"/>, <see cref="Remove"/>, the counts, summaries and neighbour
/// look-ups O(log n) expected; <see cref="RemoveAtMost"/> O(log n + removed);
/// <see cref="VisitRange"/> O(log n + visited). Not thread-safe.
/// </para>
/// </remarks>
/// <typeparam name="TItem">What is kept per item.</typeparam>
/// <typeparam name="TSummary">What is cached per subtree.</typeparam>
internal sealed class TimeTree<TItem, TSummary>
    where TSummary : struct, ITimeSummary<TSummary, TItem>
{
    private const int Nil = -1;
    private const int MinimumShrinkCapacity = 64;

    private Node[] _nodes = [];
    private int _root = Nil;
    private int _free = Nil;
    private int _used;
    private uint _random = 0x9E3779B9;

    /// <summary>The number of items.</summary>
    public int Count { get; private set; }

    /// <summary>The number of node slots allocated: right after <see cref="RemoveAtMost"/>, at most four times <see cref="Count"/> or 64.</summary>
    public int Capacity => _nodes.Length;

    /// <summary>Adds an item. <paramref name="order"/> must differ from every other item's with the same ticks.</summary>
    public void Add(long ticks, long order, TItem item)
    {
        var index = Allocate();
        _nodes[index] = new Node
        {
            Ticks = ticks,
            Order = order,
            Item = item,
            Left = Nil,
            Right = Nil,
            Size = 1,
            Priority = NextPriority(),
            Summary = TSummary.Of(item),
        };
        _root = Insert(_root, index);
        Count++;
    }

    /// <summary>Removes the item with exactly this key; false when there is none.</summary>
    public bool Remove(long ticks, long order)
    {
        var removed = false;
        _root = RemoveFrom(_root, ticks, order, ref removed);
        if (removed)
        {
            Count--;
        }

        return removed;
    }

    /// <summary>Removes every item.</summary>
    public void Clear()
    {
        _nodes = [];
        _root = Nil;
        _free = Nil;
        _used = 0;
        Count = 0;
    }

    /// <summary>
    /// Removes every item with <c>Ticks ≤ <paramref name="ticks"/></c> and describes what was
    /// removed: how many, their summary, and the first and last of them (meaningful only when the
    /// count is not zero).
    /// </summary>
    public int RemoveAtMost(long ticks, out TSummary summary, out TimeTreeEntry<TItem> first, out TimeTreeEntry<TItem> last)
    {
        int removed;
        if (ticks == long.MaxValue)
        {
            removed = _root;
            _root = Nil;
        }
        else
        {
            Split(_root, ticks + 1, long.MinValue, out removed, out var kept);
            _root = kept;
        }

        if (removed == Nil)
        {
            summary = default;
            first = default;
            last = default;
            return 0;
        }

        summary = _nodes[removed].Summary;
        var count = _nodes[removed].Size;
        first = Entry(Leftmost(removed));
        last = Entry(Rightmost(removed));
        Release(removed);
        Count -= count;
        ShrinkIfSparse();
        return count;
    }

    /// <summary>The number of items with <c>Ticks ≤ <paramref name="ticks"/></c>.</summary>
    public int CountAtMost(long ticks)
    {
        var count = 0;
        var n = _root;
        while (n != Nil)
        {
            ref var node = ref _nodes[n];
            if (node.Ticks <= ticks)
            {
                count += SizeOf(node.Left) + 1;
                n = node.Right;
            }
            else
            {
                n = node.Left;
            }
        }

        return count;
    }

    /// <summary>The number of items with <c><paramref name="after"/> &lt; Ticks ≤ <paramref name="atMost"/></c>.</summary>
    public int CountInRange(long after, long atMost) => after >= atMost ? 0 : CountAtMost(atMost) - CountAtMost(after);

    /// <summary>The summary and count of the items with <c><paramref name="after"/> &lt; Ticks ≤ <paramref name="atMost"/></c>.</summary>
    public TSummary SummarizeRange(long after, long atMost, out int count)
    {
        // Descend to the highest node inside the range; below it, the range is a suffix of its left
        // subtree and a prefix of its right subtree, each made of O(log n) cached subtrees.
        var n = _root;
        while (n != Nil)
        {
            ref var node = ref _nodes[n];
            if (node.Ticks <= after)
            {
                n = node.Right;
            }
            else if (node.Ticks > atMost)
            {
                n = node.Left;
            }
            else
            {
                break;
            }
        }

        if (n == Nil)
        {
            count = 0;
            return default;
        }

        ref var top = ref _nodes[n];
        var summary = TSummary.Of(top.Item);
        count = 1;

        var m = top.Left;
        while (m != Nil)
        {
            ref var node = ref _nodes[m];
            if (node.Ticks > after)
            {
                var nodeAndRight = TSummary.Combine(TSummary.Of(node.Item), SummaryOf(node.Right));
                summary = TSummary.Combine(nodeAndRight, summary);
                count += 1 + SizeOf(node.Right);
                m = node.Left;
            }
            else
            {
                m = node.Right;
            }
        }

        m = top.Right;
        while (m != Nil)
        {
            ref var node = ref _nodes[m];
            if (node.Ticks <= atMost)
            {
                var leftAndNode = TSummary.Combine(SummaryOf(node.Left), TSummary.Of(node.Item));
                summary = TSummary.Combine(summary, leftAndNode);
                count += 1 + SizeOf(node.Left);
                m = node.Right;
            }
            else
            {
                m = node.Left;
            }
        }

        return summary;
    }

    /// <summary>The item with the smallest key; false when the tree is empty.</summary>
    public bool TryGetFirst(out TimeTreeEntry<TItem> entry)
    {
        if (_root == Nil)
        {
            entry = default;
            return false;
        }

        entry = Entry(Leftmost(_root));
        return true;
    }

    /// <summary>The item with the largest key among those with <c>Ticks ≤ <paramref name="ticks"/></c> (so, among equal times, the largest order).</summary>
    public bool TryGetLastAtMost(long ticks, out TimeTreeEntry<TItem> entry)
    {
        var found = Nil;
        var n = _root;
        while (n != Nil)
        {
            ref var node = ref _nodes[n];
            if (node.Ticks <= ticks)
            {
                found = n;
                n = node.Right;
            }
            else
            {
                n = node.Left;
            }
        }

        entry = found == Nil ? default : Entry(found);
        return found != Nil;
    }

    /// <summary>The smallest time of an item with <c>Ticks &gt; <paramref name="ticks"/></c>.</summary>
    public bool TryGetFirstAfter(long ticks, out long found)
    {
        found = 0;
        var any = false;
        var n = _root;
        while (n != Nil)
        {
            ref var node = ref _nodes[n];
            if (node.Ticks > ticks)
            {
                found = node.Ticks;
                any = true;
                n = node.Left;
            }
            else
            {
                n = node.Right;
            }
        }

        return any;
    }

    /// <summary>Calls <paramref name="visit"/> with the item of every entry with <c><paramref name="after"/> &lt; Ticks ≤ <paramref name="atMost"/></c>, in key order.</summary>
    public void VisitRange(long after, long atMost, Action<TItem> visit)
    {
        ArgumentNullException.ThrowIfNull(visit);
        VisitSubtree(_root, after, atMost, visit);
    }

    private void VisitSubtree(int n, long after, long atMost, Action<TItem> visit)
    {
        while (n != Nil)
        {
            ref var node = ref _nodes[n];
            if (node.Ticks <= after)
            {
                n = node.Right;
                continue;
            }

            VisitSubtree(node.Left, after, atMost, visit);
            if (node.Ticks > atMost)
            {
                return;
            }

            visit(node.Item);
            n = node.Right;
        }
    }

    private TimeTreeEntry<TItem> Entry(int n)
    {
        ref var node = ref _nodes[n];
        return new TimeTreeEntry<TItem>(node.Ticks, node.Order, node.Item);
    }

    private int Leftmost(int n)
    {
        while (_nodes[n].Left != Nil)
        {
            n = _nodes[n].Left;
        }

        return n;
    }

    private int Rightmost(int n)
    {
        while (_nodes[n].Right != Nil)
        {
            n = _nodes[n].Right;
        }

        return n;
    }

    private int SizeOf(int n) => n == Nil ? 0 : _nodes[n].Size;

    private TSummary SummaryOf(int n) => n == Nil ? default : _nodes[n].Summary;

    private static bool Precedes(long ticks, long order, long otherTicks, long otherOrder) =>
        ticks < otherTicks || (ticks == otherTicks && order < otherOrder);

    private void Update(int n)
    {
        ref var node = ref _nodes[n];
        var size = 1;
        var summary = TSummary.Of(node.Item);
        if (node.Left != Nil)
        {
            ref var left = ref _nodes[node.Left];
            size += left.Size;
            summary = TSummary.Combine(left.Summary, summary);
        }

        if (node.Right != Nil)
        {
            ref var right = ref _nodes[node.Right];
            size += right.Size;
            summary = TSummary.Combine(summary, right.Summary);
        }

        node.Size = size;
        node.Summary = summary;
    }

    // The array is never resized below this point (Allocate runs before Insert), so refs stay valid.
    private int Insert(int t, int n)
    {
        if (t == Nil)
        {
            return n;
        }

        ref var node = ref _nodes[n];
        ref var top = ref _nodes[t];
        if (node.Priority > top.Priority)
        {
            Split(t, node.Ticks, node.Order, out var left, out var right);
            node.Left = left;
            node.Right = right;
            Update(n);
            return n;
        }

        if (Precedes(node.Ticks, node.Order, top.Ticks, top.Order))
        {
            top.Left = Insert(top.Left, n);
        }
        else
        {
            top.Right = Insert(top.Right, n);
        }

        Update(t);
        return t;
    }

    // Splits into the keys before (ticks, order) and the rest.
    private void Split(int t, long ticks, long order, out int before, out int rest)
    {
        if (t == Nil)
        {
            before = Nil;
            rest = Nil;
            return;
        }

        ref var node = ref _nodes[t];
        if (Precedes(node.Ticks, node.Order, ticks, order))
        {
            Split(node.Right, ticks, order, out var middle, out rest);
            node.Right = middle;
            before = t;
        }
        else
        {
            Split(node.Left, ticks, order, out before, out var middle);
            node.Left = middle;
            rest = t;
        }

        Update(t);
    }

    // Joins two trees where every key of the first precedes every key of the second.
    private int Merge(int first, int second)
    {
        if (first == Nil)
        {
            return second;
        }

        if (second == Nil)
        {
            return first;
        }

        ref var a = ref _nodes[first];
        ref var b = ref _nodes[second];
        if (a.Priority > b.Priority)
        {
            a.Right = Merge(a.Right, second);
            Update(first);
            return first;
        }

        b.Left = Merge(first, b.Left);
        Update(second);
        return second;
    }

    private int RemoveFrom(int t, long ticks, long order, ref bool removed)
    {
        if (t == Nil)
        {
            return Nil;
        }

        ref var node = ref _nodes[t];
        if (node.Ticks == ticks && node.Order == order)
        {
            var merged = Merge(node.Left, node.Right);
            node.Left = Nil;
            node.Right = Nil;
            Release(t);
            removed = true;
            return merged;
        }

        if (Precedes(ticks, order, node.Ticks, node.Order))
        {
            node.Left = RemoveFrom(node.Left, ticks, order, ref removed);
        }
        else
        {
            node.Right = RemoveFrom(node.Right, ticks, order, ref removed);
        }

        Update(t);
        return t;
    }

    private int Allocate()
    {
        if (_free != Nil)
        {
            var reused = _free;
            _free = _nodes[reused].Left;
            return reused;
        }

        if (_used == _nodes.Length)
        {
            Array.Resize(ref _nodes, Math.Max(4, _nodes.Length * 2));
        }

        return _used++;
    }

    // Puts a whole subtree on the free list (linked through Left).
    private void Release(int n)
    {
        if (n == Nil)
        {
            return;
        }

        var right = _nodes[n].Right;
        Release(_nodes[n].Left);
        _nodes[n] = new Node { Left = _free, Right = Nil };
        _free = n;
        Release(right);
    }

    // Keeps memory proportional to what is retained: once three quarters of the slots are free,
    // copy the live nodes into a smaller array, keeping the shape (and so the priorities' heap order).
    private void ShrinkIfSparse()
    {
        if (_nodes.Length <= MinimumShrinkCapacity || Count > _nodes.Length / 4)
        {
            return;
        }

        var target = new Node[Math.Max(Count * 2, MinimumShrinkCapacity / 4)];
        var next = 0;
        _root = CopyInto(_root, target, ref next);
        _nodes = target;
        _used = next;
        _free = Nil;
    }

    private int CopyInto(int n, Node[] target, ref int next)
    {
        if (n == Nil)
        {
            return Nil;
        }

        var index = next++;
        target[index] = _nodes[n];
        var left = CopyInto(_nodes[n].Left, target, ref next);
        var right = CopyInto(_nodes[n].Right, target, ref next);
        target[index].Left = left;
        target[index].Right = right;
        return index;
    }

    private uint NextPriority()
    {
        // xorshift32: deterministic, so a run can be replayed; balance does not need more.
        var x = _random;
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        _random = x;
        return x;
    }

    private struct Node
    {
        public long Ticks;
        public long Order;
        public TItem Item;
        public TSummary Summary;
        public int Left;
        public int Right;
        public int Size;
        public uint Priority;
    }
}
