using System.Globalization;

namespace TinyCdp.Language.Compilation;

/// <summary>
/// A function of the language: its name, its parameters' accepted types, its result type and a
/// total implementation. Arguments are compiled nodes so that <c>coalesce</c> can stop early.
/// </summary>
internal sealed class BuiltinFunction
{
    private readonly Func<CompiledNode[], IEvaluationContext, Value> _invoke;

    private BuiltinFunction(string name, ExprType[][] parameters, ExprType result, Func<CompiledNode[], IEvaluationContext, Value> invoke,
        bool variadic = false, long? clockUnitTicks = null)
    {
        Name = name;
        Parameters = parameters;
        Result = result;
        _invoke = invoke;
        Variadic = variadic;
        ClockUnitTicks = clockUnitTicks;
    }

    public string Name { get; }

    /// <summary>For each parameter, the static types it accepts (any and null are always accepted).</summary>
    public ExprType[][] Parameters { get; }

    /// <summary>The result type (for <c>coalesce</c>, refined by the binder).</summary>
    public ExprType Result { get; }

    /// <summary>True when the last parameter repeats (at least one argument).</summary>
    public bool Variadic { get; }

    /// <summary>True when the value depends on the time of evaluation.</summary>
    public bool ReadsClock => ClockUnitTicks is not null;

    /// <summary>For <c>*_since</c>: the unit whose boundaries change the value.</summary>
    public long? ClockUnitTicks { get; }

    public Value Invoke(CompiledNode[] arguments, IEvaluationContext context) => _invoke(arguments, context);

    private static readonly ExprType[] Str = [ExprType.String];
    private static readonly ExprType[] Num = [ExprType.Number];
    private static readonly ExprType[] Anything = [ExprType.Bool, ExprType.Number, ExprType.String, ExprType.List];

    public static IReadOnlyDictionary<string, BuiltinFunction> All { get; } = new[]
    {
        new BuiltinFunction("contains", [[ExprType.String, ExprType.List], Anything], ExprType.Bool, (a, c) => Contains(a[0].Evaluate(c), a[1].Evaluate(c))),
        new BuiltinFunction("starts_with", [Str, Str], ExprType.Bool, (a, c) => Strings(a, c, static (s, t) => s.StartsWith(t, StringComparison.Ordinal))),
        new BuiltinFunction("ends_with", [Str, Str], ExprType.Bool, (a, c) => Strings(a, c, static (s, t) => s.EndsWith(t, StringComparison.Ordinal))),
        new BuiltinFunction("lower", [Str], ExprType.String, (a, c) => Value.String(a[0].Evaluate(c).AsString?.ToLowerInvariant())),
        new BuiltinFunction("upper", [Str], ExprType.String, (a, c) => Value.String(a[0].Evaluate(c).AsString?.ToUpperInvariant())),
        new BuiltinFunction("len", [[ExprType.String, ExprType.List]], ExprType.Number, (a, c) => Length(a[0].Evaluate(c))),
        new BuiltinFunction("coalesce", [Anything], ExprType.Any, Coalesce, variadic: true),
        new BuiltinFunction("abs", [Num], ExprType.Number, (a, c) => Numeric(a[0].Evaluate(c), Math.Abs)),
        new BuiltinFunction("round", [Num], ExprType.Number, (a, c) => Numeric(a[0].Evaluate(c), static x => Math.Round(x, MidpointRounding.AwayFromZero))),
        new BuiltinFunction("floor", [Num], ExprType.Number, (a, c) => Numeric(a[0].Evaluate(c), Math.Floor)),
        new BuiltinFunction("ceil", [Num], ExprType.Number, (a, c) => Numeric(a[0].Evaluate(c), Math.Ceiling)),
        new BuiltinFunction("days_since", [Str], ExprType.Number, (a, c) => Since(a[0].Evaluate(c), c.Now, TimeSpan.TicksPerDay), clockUnitTicks: TimeSpan.TicksPerDay),
        new BuiltinFunction("hours_since", [Str], ExprType.Number, (a, c) => Since(a[0].Evaluate(c), c.Now, TimeSpan.TicksPerHour), clockUnitTicks: TimeSpan.TicksPerHour),
        new BuiltinFunction("minutes_since", [Str], ExprType.Number, (a, c) => Since(a[0].Evaluate(c), c.Now, TimeSpan.TicksPerMinute), clockUnitTicks: TimeSpan.TicksPerMinute),
    }.ToDictionary(f => f.Name, StringComparer.Ordinal);

    private static Value Contains(Value haystack, Value needle)
    {
        if (haystack.TryGetString(out var text))
        {
            return Value.Bool(needle.TryGetString(out var part) && text.Contains(part, StringComparison.Ordinal));
        }

        return Value.Bool(Operators.Contains(haystack, needle));
    }

    private static Value Strings(CompiledNode[] arguments, IEvaluationContext context, Func<string, string, bool> test) =>
        arguments[0].Evaluate(context).TryGetString(out var text) && arguments[1].Evaluate(context).TryGetString(out var other)
            ? Value.Bool(test(text, other))
            : Value.False;

    private static Value Length(Value value) => value.Kind switch
    {
        ValueKind.String => Value.Number(value.AsString!.Length),
        ValueKind.List => Value.Number(value.Items.Length),
        _ => Value.Null,
    };

    private static Value Coalesce(CompiledNode[] arguments, IEvaluationContext context)
    {
        foreach (var argument in arguments)
        {
            var value = argument.Evaluate(context);
            if (!value.IsNull)
            {
                return value;
            }
        }

        return Value.Null;
    }

    private static Value Numeric(Value value, Func<double, double> operation) =>
        value.TryGetNumber(out var number) ? Value.Number(operation(number)) : Value.Null;

    /// <summary>Whole units from an ISO-8601 instant to now, floored; null when the text is not an instant.</summary>
    private static Value Since(Value value, DateTimeOffset now, long unitTicks) =>
        TryReadInstant(value, out var instant) ? Value.Number(Math.Floor((double)(now.UtcTicks - instant.UtcTicks) / unitTicks)) : Value.Null;

    /// <summary>An ISO-8601 instant held in a string value; without an offset it is UTC.</summary>
    public static bool TryReadInstant(Value value, out DateTimeOffset instant)
    {
        instant = default;
        return value.TryGetString(out var text) &&
            DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out instant);
    }
}
