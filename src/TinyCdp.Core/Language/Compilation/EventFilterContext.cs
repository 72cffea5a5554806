namespace TinyCdp.Language.Compilation;

/// <summary>The context a <c>where(...)</c> predicate runs in: one event's properties and the profile.</summary>
internal sealed class EventFilterContext(Value eventProperties, Value profile) : IEvaluationContext
{
    public DateTimeOffset Now => default;

    public Value Profile => profile;

    public Value EventProperties => eventProperties;

    public Value GetAggregate(int slot) => Value.Null;

    public long GetAggregateEventCount(int slot) => 0;

    public Value GetTrait(int slot) => Value.Null;

    public bool GetSegment(int slot) => false;

    public Value GetContext(string name) => Value.Null;
}
