using BenchmarkDotNet.Attributes;
using TinyCdp.Language;

namespace TinyCdp.Benchmarks.Language;

/// <summary>
/// Compiled evaluation of a typical trait against a prepared context. Baseline: the same logic
/// written by hand in C# over the same context, measured in the same run, so the ratio says what
/// the compiled form costs over code a person would write.
/// </summary>
[MemoryDiagnoser]
public class ExpressionEvaluationBenchmarks
{
    private const string Source = "events.purchase.count_30d >= 3 && profile.plan in [\"premium\", \"enterprise\"]";

    private CompiledExpression _compiled = null!;
    private PreparedContext _context = null!;
    private int _slot;

    [GlobalSetup]
    public void Setup()
    {
        var environment = new SymbolEnvironment();
        _compiled = ExpressionCompiler.Compile(Source, ExpressionKind.Trait, environment);
        _slot = _compiled.RequirementSlots[0];
        _context = new PreparedContext(Value.ParseJson("{\"plan\": \"enterprise\", \"country\": \"DE\", \"age\": 41}"), _slot, Value.Number(4));
        if (!_compiled.IsTrue(_context) || !HandWritten())
        {
            throw new InvalidOperationException("The benchmark's expression must be true for its context.");
        }
    }

    [Benchmark(Baseline = true)]
    public bool HandWritten()
    {
        var count = _context.GetAggregate(_slot);
        if (!(count.TryGetNumber(out var n) && n >= 3))
        {
            return false;
        }

        var plan = _context.Profile.Member("plan");
        return plan.TryGetString(out var text) && (text == "premium" || text == "enterprise");
    }

    [Benchmark]
    public bool Compiled() => _compiled.IsTrue(_context);

    [Benchmark]
    public Value CompiledDelegate() => _compiled.Evaluator(_context);

    private sealed class PreparedContext(Value profile, int slot, Value count) : IEvaluationContext
    {
        private readonly Value[] _aggregates = CreateAggregates(slot, count);

        public DateTimeOffset Now { get; } = new(2026, 1, 15, 12, 0, 0, TimeSpan.Zero);

        public Value Profile { get; } = profile;

        public Value EventProperties => Value.Null;

        public Value GetAggregate(int index) => _aggregates[index];

        public long GetAggregateEventCount(int index) => (long)_aggregates[index].AsNumber;

        public Value GetTrait(int index) => Value.Null;

        public bool GetSegment(int index) => false;

        public Value GetContext(string name) => Value.Null;

        private static Value[] CreateAggregates(int slot, Value count)
        {
            var values = new Value[slot + 1];
            values[slot] = count;
            return values;
        }
    }
}
