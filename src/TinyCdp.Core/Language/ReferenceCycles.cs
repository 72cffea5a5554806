namespace TinyCdp.Language;

/// <summary>Finds reference cycles among definitions (a trait that reads a segment that reads the trait).</summary>
internal static class ReferenceCycles
{
    /// <summary>
    /// The first cycle found, as a path that starts and ends at the same definition
    /// (<c>[a, b, a]</c>), or null when the graph has none. Nodes are visited in ordinal key order, so
    /// the answer is deterministic.
    /// </summary>
    public static IReadOnlyList<DefinitionReference>? Find(IReadOnlyDictionary<DefinitionReference, IReadOnlyCollection<DefinitionReference>> references)
    {
        ArgumentNullException.ThrowIfNull(references);
        var state = new Dictionary<DefinitionReference, int>(); // 1 = on the current path, 2 = done
        var path = new List<DefinitionReference>();
        foreach (var start in references.Keys.OrderBy(k => k.Key, StringComparer.Ordinal).ThenBy(k => k.IsSegment))
        {
            if (Visit(start) is { } cycle)
            {
                return cycle;
            }
        }

        return null;

        // Iterative depth-first search: definitions chains may be long.
        List<DefinitionReference>? Visit(DefinitionReference start)
        {
            if (state.ContainsKey(start))
            {
                return null;
            }

            var stack = new Stack<(DefinitionReference Node, IEnumerator<DefinitionReference> Next)>();
            state[start] = 1;
            path.Add(start);
            stack.Push((start, Successors(start)));
            while (stack.Count > 0)
            {
                var (node, next) = stack.Peek();
                if (next.MoveNext())
                {
                    var child = next.Current;
                    if (state.TryGetValue(child, out var seen))
                    {
                        if (seen == 1)
                        {
                            var from = path.IndexOf(child);
                            return [.. path.Skip(from), child];
                        }

                        continue;
                    }

                    state[child] = 1;
                    path.Add(child);
                    stack.Push((child, Successors(child)));
                }
                else
                {
                    stack.Pop();
                    state[node] = 2;
                    path.RemoveAt(path.Count - 1);
                    next.Dispose();
                }
            }

            return null;
        }

        IEnumerator<DefinitionReference> Successors(DefinitionReference node) =>
            (references.TryGetValue(node, out var children) ? children : [])
                .OrderBy(k => k.Key, StringComparer.Ordinal).ThenBy(k => k.IsSegment).GetEnumerator();
    }

    /// <summary>The message for a cycle: <c>reference cycle: a -> b -> a</c>.</summary>
    public static string Describe(IReadOnlyList<DefinitionReference> cycle) =>
        "reference cycle: " + string.Join(" -> ", cycle);
}
