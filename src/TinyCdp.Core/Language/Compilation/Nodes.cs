using TinyCdp.Language.Syntax;

namespace TinyCdp.Language.Compilation;


internal sealed class ConstantNode(string text, ExprType type, Value value) : CompiledNode(text, type)
{
    public Value Value { get; } = value;

    public override Value Evaluate(IEvaluationContext context) => Value;
}

internal sealed class ListNode(string text, CompiledNode[] items) : CompiledNode(text, ExprType.List, items)
{
    public override Value Evaluate(IEvaluationContext context)
    {
        var values = new Value[Operands.Length];
        for (var i = 0; i < Operands.Length; i++)
        {
            values[i] = Operands[i].Evaluate(context);
        }

        return Value.List(values);
    }
}

internal sealed class AggregateNode(string text, ExprType type, SlotReference slot, AggregateRequirement requirement) : CompiledNode(text, type)
{
    private readonly ReasonLine _reason = new(text);

    public int Slot => slot.Value;

    public AggregateRequirement Requirement { get; } = requirement;

    public override Value Evaluate(IEvaluationContext context) => context.GetAggregate(Slot);

    public override Explanation Explain(IEvaluationContext context) => new(Text, Evaluate(context), [])
    {
        WindowStart = Requirement.Window.IsAll ? null : SafeSubtract(context.Now, Requirement.Window.Length),
        WindowEnd = context.Now,
        EventCount = context.GetAggregateEventCount(Slot),
    };

    public override void CollectReasons(IEvaluationContext context, List<string> reasons) => _reason.AddTo(reasons, Evaluate(context));

    internal static DateTimeOffset SafeSubtract(DateTimeOffset now, TimeSpan length) =>
        now.UtcTicks - DateTimeOffset.MinValue.UtcTicks > length.Ticks ? now - length : DateTimeOffset.MinValue;
}

/// <summary>Whole units since the earliest or latest event: <c>floor((now − t) / unit)</c>, null if none.</summary>
internal sealed class SeenAgoNode(string text, SlotReference slot, AggregateRequirement requirement, long unitTicks) : CompiledNode(text, ExprType.Number)
{
    private readonly ReasonLine _reason = new(text);

    public int Slot => slot.Value;

    public AggregateRequirement Requirement { get; } = requirement;

    public long UnitTicks { get; } = unitTicks;

    public override Value Evaluate(IEvaluationContext context)
    {
        if (!context.GetAggregate(Slot).TryGetNumber(out var unixMilliseconds))
        {
            return Value.Null;
        }

        var elapsedTicks = (context.Now.ToUnixTimeMilliseconds() - (long)unixMilliseconds) * TimeSpan.TicksPerMillisecond;
        return Value.Number(Math.Floor((double)elapsedTicks / UnitTicks));
    }

    public override DateTimeOffset? NextChange(IEvaluationContext context) =>
        context.GetAggregate(Slot).TryGetNumber(out var unixMilliseconds)
            ? NextUnitBoundary(context.Now, DateTimeOffset.UnixEpoch.UtcTicks + ((long)unixMilliseconds * TimeSpan.TicksPerMillisecond), UnitTicks)
            : null;

    public override Explanation Explain(IEvaluationContext context) => new(Text, Evaluate(context), [])
    {
        WindowEnd = context.Now,
        EventCount = context.GetAggregateEventCount(Slot),
    };

    public override void CollectReasons(IEvaluationContext context, List<string> reasons) => _reason.AddTo(reasons, Evaluate(context));
}

internal sealed class ProfileNode(string text) : CompiledNode(text, ExprType.Any)
{
    public override Value Evaluate(IEvaluationContext context) => context.Profile;
}

internal sealed class EventPropertiesNode(string text) : CompiledNode(text, ExprType.Any)
{
    public override Value Evaluate(IEvaluationContext context) => context.EventProperties;
}

internal sealed class MemberNode(string text, CompiledNode target, string member) : CompiledNode(text, ExprType.Any, [target])
{
    public override Value Evaluate(IEvaluationContext context) => target.Evaluate(context).Member(member);
}

internal sealed class IndexNode(string text, CompiledNode target, CompiledNode index) : CompiledNode(text, ExprType.Any, [target, index])
{
    public override Value Evaluate(IEvaluationContext context) => target.Evaluate(context).Index(index.Evaluate(context));
}

internal sealed class TraitNode(string text, ExprType type, int slot, string key) : CompiledNode(text, type)
{
    private readonly string _reference = $"trait({key})";
    private readonly ReasonLine _reason = new($"trait({key})");

    public override Value Evaluate(IEvaluationContext context) => context.GetTrait(slot);

    public override Explanation Explain(IEvaluationContext context) => new(Text, Evaluate(context), []) { Reference = _reference };

    public override void CollectReasons(IEvaluationContext context, List<string> reasons) => _reason.AddTo(reasons, Evaluate(context));

    public override DateTimeOffset? NextChange(IEvaluationContext context) => context.GetTraitNextChange(slot);
}

internal sealed class SegmentNode(string text, int slot, string key) : CompiledNode(text, ExprType.Bool)
{
    private readonly string _reference = $"segment({key})";
    private readonly ReasonLine _reason = new($"segment({key})");

    public override Value Evaluate(IEvaluationContext context) => Value.Bool(context.GetSegment(slot));

    public override Explanation Explain(IEvaluationContext context) => new(Text, Evaluate(context), []) { Reference = _reference };

    public override void CollectReasons(IEvaluationContext context, List<string> reasons) => _reason.AddTo(reasons, Evaluate(context));

    public override DateTimeOffset? NextChange(IEvaluationContext context) => context.GetSegmentNextChange(slot);
}

internal sealed class ContextNode(string text, string name) : CompiledNode(text, ExprType.Any)
{
    public override Value Evaluate(IEvaluationContext context) => context.GetContext(name);
}

internal sealed class NotNode(string text, CompiledNode operand) : CompiledNode(text, ExprType.Bool, [operand])
{
    public override Value Evaluate(IEvaluationContext context) => Value.Bool(!operand.Evaluate(context).IsTrue);
}

internal sealed class NegateNode(string text, CompiledNode operand) : CompiledNode(text, ExprType.Number, [operand])
{
    public override Value Evaluate(IEvaluationContext context) =>
        operand.Evaluate(context).TryGetNumber(out var number) ? Value.Number(-number) : Value.Null;
}

internal sealed class AndNode(string text, CompiledNode left, CompiledNode right) : CompiledNode(text, ExprType.Bool, [left, right])
{
    public override Value Evaluate(IEvaluationContext context) =>
        Value.Bool(left.Evaluate(context).IsTrue && right.Evaluate(context).IsTrue);

    public override Explanation Explain(IEvaluationContext context)
    {
        var first = left.Explain(context);
        return first.Value.IsTrue
            ? new Explanation(Text, Evaluate(context), [first, right.Explain(context)])
            : new Explanation(Text, Value.False, [first]);
    }

    public override void CollectReasons(IEvaluationContext context, List<string> reasons)
    {
        left.CollectReasons(context, reasons);
        if (left.Evaluate(context).IsTrue)
        {
            right.CollectReasons(context, reasons);
        }
    }
}

internal sealed class OrNode(string text, CompiledNode left, CompiledNode right) : CompiledNode(text, ExprType.Bool, [left, right])
{
    public override Value Evaluate(IEvaluationContext context) =>
        Value.Bool(left.Evaluate(context).IsTrue || right.Evaluate(context).IsTrue);

    public override Explanation Explain(IEvaluationContext context)
    {
        var first = left.Explain(context);
        return first.Value.IsTrue
            ? new Explanation(Text, Value.True, [first])
            : new Explanation(Text, Evaluate(context), [first, right.Explain(context)]);
    }

    public override void CollectReasons(IEvaluationContext context, List<string> reasons)
    {
        left.CollectReasons(context, reasons);
        if (!left.Evaluate(context).IsTrue)
        {
            right.CollectReasons(context, reasons);
        }
    }
}

internal sealed class BinaryNode(string text, ExprType type, BinaryOperator op, CompiledNode left, CompiledNode right) : CompiledNode(text, type, [left, right])
{
    public override Value Evaluate(IEvaluationContext context) => Operators.Apply(op, left.Evaluate(context), right.Evaluate(context));
}

internal sealed class FunctionNode(string text, ExprType type, BuiltinFunction function, CompiledNode[] arguments) : CompiledNode(text, type, arguments)
{
    public override Value Evaluate(IEvaluationContext context) => function.Invoke(Operands, context);

    public override DateTimeOffset? NextChange(IEvaluationContext context)
    {
        var earliest = base.NextChange(context);
        if (function.ClockUnitTicks is { } unit && BuiltinFunction.TryReadInstant(Operands[0].Evaluate(context), out var instant))
        {
            earliest = Earliest(earliest, NextUnitBoundary(context.Now, instant.UtcTicks, unit));
        }

        return earliest;
    }
}
