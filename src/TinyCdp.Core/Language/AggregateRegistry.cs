namespace TinyCdp.Language;

/// <summary>
/// Assigns each distinct <see cref="AggregateRequirement"/> a slot. Share one registry across all
/// the definitions of a catalog so that identical aggregates are maintained once. Not thread-safe
/// while compiling; read-only afterwards.
/// </summary>
internal sealed class AggregateRegistry
{
    private readonly Dictionary<AggregateRequirement, int> _slots = [];
    private readonly List<AggregateRequirement> _requirements = [];

    /// <summary>Every requirement, in slot order.</summary>
    public IReadOnlyList<AggregateRequirement> Requirements => _requirements;

    /// <summary>The slot of a requirement, adding it if new.</summary>
    public int GetOrAdd(AggregateRequirement requirement)
    {
        ArgumentNullException.ThrowIfNull(requirement);
        if (!_slots.TryGetValue(requirement, out var slot))
        {
            slot = _requirements.Count;
            _slots.Add(requirement, slot);
            _requirements.Add(requirement);
        }

        return slot;
    }

    /// <summary>The slot of a requirement already registered.</summary>
    public bool TryGetSlot(AggregateRequirement requirement, out int slot) => _slots.TryGetValue(requirement, out slot);
}
