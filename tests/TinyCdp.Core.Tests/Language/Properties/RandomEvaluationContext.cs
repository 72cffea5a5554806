using FsCheck;
using FsCheck.Fluent;
using TinyCdp.Language;

namespace TinyCdp.Core.Tests.Language.Properties;

/// <summary>
/// An evaluation context whose every slot holds an arbitrary value: any kind, extreme numbers,
/// date-like strings, nested lists and objects, and an instant anywhere from
/// <see cref="DateTimeOffset.MinValue"/> to <see cref="DateTimeOffset.MaxValue"/>. Slots beyond
/// the generated arrays wrap around, so any slot number reads something.
/// </summary>
internal sealed class RandomEvaluationContext : IEvaluationContext
{
    private readonly Value[] _aggregates;
    private readonly long[] _counts;
    private readonly Value[] _traits;
    private readonly bool[] _segments;
    private readonly Value _context;

    private RandomEvaluationContext(DateTimeOffset now, Value profile, Value[] aggregates, long[] counts, Value[] traits, bool[] segments, Value context)
    {
        Now = now;
        Profile = profile;
        _aggregates = aggregates;
        _counts = counts;
        _traits = traits;
        _segments = segments;
        _context = context;
    }

    public DateTimeOffset Now { get; }

    public Value Profile { get; }

    public Value EventProperties => Value.Null;

    public Value GetAggregate(int slot) => _aggregates[Wrap(slot, _aggregates.Length)];

    public long GetAggregateEventCount(int slot) => _counts[Wrap(slot, _counts.Length)];

    public Value GetTrait(int slot) => _traits[Wrap(slot, _traits.Length)];

    public bool GetSegment(int slot) => _segments[Wrap(slot, _segments.Length)];

    public Value GetContext(string name) => _context.Member(name);

    public override string ToString() =>
        $"now {Now:O}, profile {Profile.ToJson()}, aggregates [{string.Join(", ", _aggregates.Select(v => v.ToJson()))}], " +
        $"traits [{string.Join(", ", _traits.Select(v => v.ToJson()))}], segments [{string.Join(", ", _segments)}], context {_context.ToJson()}";

    private static int Wrap(int slot, int length) => ((slot % length) + length) % length;

    public static Gen<double> ExtremeNumber { get; } = Gen.OneOf(
        Gen.Elements(0.0, -0.0, 1.0, -1.0, 0.5, 1e308, -1e308, double.MaxValue, double.MinValue, double.Epsilon, -double.Epsilon,
            9.2233720368547758e18, -9.2233720368547758e18, 253402300800000.0, -62135596800000.0, 1e15, 2147483648.0, 1.5),
        Gen.Choose(-1000, 1000).Select(n => (double)n),
        from n in Gen.Choose(int.MinValue, int.MaxValue) from e in Gen.Choose(-320, 308) select n * Math.Pow(10, e))
        .Where(double.IsFinite);

    public static Gen<string> AnyText { get; } = Gen.OneOf(
        Gen.Elements("", "pro", "premium", "NL", "中", "a\"b", "2024-01-01T00:00:00Z", "2024-02-29", "0001-01-01T00:00:00+01:00",
            "9999-12-31T23:59:59-01:00", "9999-12-31T23:59:59Z", "0001-01-01", "not a date", "1e3", "x", "EUR", "Apple"),
        SyntaxTreeGenerators.Text);

    public static Gen<Value> AnyValue { get; } = Gen.Sized(size => ValueOf(Math.Min(3, size / 20)));

    private static Gen<Value> ValueOf(int depth)
    {
        var scalar = Gen.Frequency(
            (2, Gen.Constant(Value.Null)),
            (1, Gen.Elements(Value.True, Value.False)),
            (3, ExtremeNumber.Select(Value.Number)),
            (3, AnyText.Select(Value.String)));
        if (depth <= 0)
        {
            return scalar;
        }

        var inner = ValueOf(depth - 1);
        return Gen.Frequency(
            (4, scalar),
            (1, Gen.Choose(0, 4).SelectMany(n => Gen.ArrayOf(inner, n)).Select(Value.List)),
            (1, ObjectOf(inner, ["plan", "x", "city", "in", "count_30d", "price", "a"])));
    }

    private static Gen<Value> ObjectOf(Gen<Value> values, string[] keys) =>
        from chosen in Gen.SubListOf(keys)
        from items in Gen.ArrayOf(values, chosen.Count)
        select Value.Object(chosen.Zip(items, KeyValuePair.Create));

    private static Gen<DateTimeOffset> Instant { get; } = Gen.OneOf(
        Gen.Elements(
            DateTimeOffset.MinValue, DateTimeOffset.MaxValue, DateTimeOffset.UnixEpoch,
            DateTimeOffset.MinValue.AddTicks(1), DateTimeOffset.MaxValue.AddTicks(-1),
            new DateTimeOffset(1, 1, 1, 23, 59, 0, TimeSpan.Zero), new DateTimeOffset(9999, 12, 31, 0, 0, 0, TimeSpan.Zero),
            new DateTimeOffset(2026, 1, 15, 12, 0, 0, TimeSpan.Zero)),
        from ticks in Gen.Choose(0, int.MaxValue).Select(n => (long)(n / (double)int.MaxValue * DateTimeOffset.MaxValue.UtcTicks))
        from offsetHours in Gen.Choose(-14, 14)
        let utc = new DateTimeOffset(ticks, TimeSpan.Zero)
        select ticks > TimeSpan.TicksPerDay && ticks < DateTimeOffset.MaxValue.UtcTicks - TimeSpan.TicksPerDay ? utc.ToOffset(TimeSpan.FromHours(offsetHours)) : utc);

    /// <summary>A profile: usually an object with the keys the generated texts read, sometimes null or not an object at all.</summary>
    private static Gen<Value> ProfileValue { get; } = Gen.Frequency(
        (6, ObjectOf(AnyValue, ["plan", "odd key", "address", "tags", "age", "signup", "flag", "x"])),
        (1, Gen.Constant(Value.Null)),
        (1, AnyValue));

    public static Gen<RandomEvaluationContext> Generator { get; } =
        from now in Instant
        from profile in ProfileValue
        from aggregates in Gen.ArrayOf(AnyValue, 8)
        from counts in Gen.ArrayOf(Gen.Elements(0L, 1L, 7L, long.MaxValue, -1L), 8)
        from traits in Gen.ArrayOf(AnyValue, 6)
        from segments in Gen.ArrayOf(Gen.Elements(false, true), 3)
        from context in ObjectOf(AnyValue, ["country", "user agent", "beta"])
        select new RandomEvaluationContext(now, profile, aggregates, counts, traits, segments, context);
}
