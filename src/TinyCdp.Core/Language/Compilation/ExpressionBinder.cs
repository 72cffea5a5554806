using System.Globalization;
using System.Text.RegularExpressions;
using TinyCdp.Language.Syntax;

namespace TinyCdp.Language.Compilation;

/// <summary>
/// Resolves names, checks types and builds the compiled node tree in one pass over the syntax
/// tree. Stops at the first error. Aggregate requirements get their slots only when the whole
/// expression is valid, so a rejected expression leaves the registry unchanged.
/// </summary>
internal sealed partial class ExpressionBinder
{
    private static readonly string[] SelectorMembers =
    [
        "count_7d", "count_14d", "count_30d", "count_90d", "count_24h", "count_all",
        "unique_days_7d", "unique_days_14d", "unique_days_30d",
        "first_seen_minutes_ago", "first_seen_hours_ago", "first_seen_days_ago",
        "last_seen_minutes_ago", "last_seen_hours_ago", "last_seen_days_ago",
        "count", "unique_days", "sum", "avg", "min", "max", "distinct", "first", "last", "where",
    ];

    private static readonly string[] TopLevelNames =
    [
        "events", "profile", "context", "trait", "segment",
        "first_seen_minutes_ago", "first_seen_hours_ago", "first_seen_days_ago",
        "last_seen_minutes_ago", "last_seen_hours_ago", "last_seen_days_ago",
    ];

    private readonly string _source;
    private readonly SymbolEnvironment _environment;
    private readonly ExpressionKind _kind;
    private readonly Dictionary<AggregateRequirement, SlotReference> _aggregates = [];

    private ExpressionBinder(string source, SymbolEnvironment environment, ExpressionKind kind)
    {
        _source = source;
        _environment = environment;
        _kind = kind;
    }

    public HashSet<string> TraitReferences { get; } = new(StringComparer.Ordinal);

    public HashSet<string> SegmentReferences { get; } = new(StringComparer.Ordinal);

    public bool ReadsContext { get; private set; }

    public bool ReadsClock { get; private set; }

    public bool ReadsProfile { get; private set; }

    public static bool TryBind(Expr syntax, string source, SymbolEnvironment environment, ExpressionKind kind,
        out CompiledExpression? compiled, out ExpressionError? error)
    {
        var binder = new ExpressionBinder(source, environment, kind);
        try
        {
            var filterScope = kind == ExpressionKind.EventFilter;
            var root = binder.Bind(syntax, filterScope);
            if (kind != ExpressionKind.Trait && root.Type is not (ExprType.Bool or ExprType.Any))
            {
                var what = kind switch
                {
                    ExpressionKind.Segment => "a segment rule",
                    ExpressionKind.Flag => "a flag rule",
                    _ => "an event filter",
                };
                throw binder.Fail(ExpressionErrorKind.Type, syntax, $"{what} must be a bool, not {Article(root.Type)}");
            }

            var requirements = new List<AggregateRequirement>();
            var slots = new List<int>();
            foreach (var (requirement, slot) in binder._aggregates)
            {
                slot.Value = environment.Aggregates.GetOrAdd(requirement);
                requirements.Add(requirement);
                slots.Add(slot.Value);
            }

            compiled = new CompiledExpression(source, syntax, kind, root, requirements, slots,
                binder.TraitReferences, binder.SegmentReferences, binder.ReadsContext, binder.ReadsClock, binder.ReadsProfile);
            error = null;
            return true;
        }
        catch (BindException failure)
        {
            compiled = null;
            error = failure.Error;
            return false;
        }
        catch (InsufficientExecutionStackException)
        {
            compiled = null;
            error = new ExpressionError(ExpressionErrorKind.Syntax, syntax.Span, source,
                "the expression is nested too deeply");
            return false;
        }
    }

    private CompiledNode Bind(Expr expression, bool inFilter)
    {
        System.Runtime.CompilerServices.RuntimeHelpers.EnsureSufficientExecutionStack();
        var text = expression.ToString();
        switch (expression)
        {
            case LiteralExpr literal:
                return new ConstantNode(text, TypeOf(literal.Value), literal.Value);
            case DurationExpr:
                throw Fail(ExpressionErrorKind.Type, expression, $"a duration such as {text} is only allowed as a window");
            case ListExpr list:
                var items = list.Items.Select(item => Bind(item, inFilter)).ToArray();
                return items.All(item => item is ConstantNode)
                    ? new ConstantNode(text, ExprType.List, Value.List(items.Select(item => ((ConstantNode)item).Value).ToArray()))
                    : new ListNode(text, items);
            case NameExpr name:
                return BindName(name, text, inFilter);
            case MemberExpr member:
                return BindMember(member, text, inFilter);
            case IndexExpr index:
                return BindIndex(index, text, inFilter);
            case CallExpr call:
                return BindCall(call, text, inFilter);
            case UnaryExpr unary:
                return BindUnary(unary, text, inFilter);
            case BinaryExpr binary:
                return BindBinary(binary, text, inFilter);
            default:
                throw Fail(ExpressionErrorKind.Syntax, expression, "unsupported expression");
        }
    }

    private CompiledNode BindName(NameExpr name, string text, bool inFilter)
    {
        var word = name.Name;
        if (word == "profile")
        {
            ReadsProfile = true;
            return new ProfileNode(text);
        }

        if (word == "events")
        {
            throw inFilter
                ? Fail(ExpressionErrorKind.Name, name, "aggregates cannot be used inside where(...)")
                : Fail(ExpressionErrorKind.Name, name, "events needs an event name, as in events.purchase.count_30d or events[\"Order Completed\"].count_30d");
        }

        if (inFilter)
        {
            // Inside where(...), a bare name is a property of the event; 'properties' is all of them.
            var properties = new EventPropertiesNode("properties");
            return word == "properties" ? properties : new MemberNode(text, properties, word);
        }

        if (word == "all")
        {
            throw Fail(ExpressionErrorKind.Type, name, "all is only allowed as a window");
        }

        if (word == "context")
        {
            throw _kind == ExpressionKind.Flag
                ? Fail(ExpressionErrorKind.Name, name, "context needs an attribute name, as in context.country")
                : ContextOutsideFlag(name);
        }

        if (SeenAgoPattern().Match(word) is { Success: true } seen)
        {
            return BindSeenAgo(text, eventName: null, filter: null, seen);
        }

        if (_environment.Traits.TryGetValue(word, out var trait))
        {
            TraitReferences.Add(word);
            return new TraitNode(text, trait.Type, trait.Slot, word);
        }

        if (BuiltinFunction.All.ContainsKey(word) || word is "trait" or "segment")
        {
            throw Fail(ExpressionErrorKind.Name, name, $"{word} is a function; call it as {word}(...)");
        }

        var suggestion = Suggest(word, _environment.Traits.Keys.Concat(TopLevelNames).Concat(BuiltinFunction.All.Keys));
        throw Fail(ExpressionErrorKind.Name, name,
            $"unknown name '{word}'{(suggestion.Length > 0 ? suggestion : ": it is not a trait or a built-in name")}");
    }

    private CompiledNode BindMember(MemberExpr member, string text, bool inFilter)
    {
        if (TryGetSelector(member, inFilter, out _))
        {
            throw SelectorWithoutMember(member);
        }

        if (!inFilter && member.Target is NameExpr { Name: "context" } contextName)
        {
            return BindContext(contextName, member.Member, text);
        }

        if (TryGetSelector(member.Target, inFilter, out var selector))
        {
            return BindSelectorMember(selector, member, text);
        }

        var target = Bind(member.Target, inFilter);
        if (target.Type != ExprType.Any)
        {
            throw Fail(ExpressionErrorKind.Type, member, $"cannot read member '{member.Member}' of {Article(target.Type)}");
        }

        return new MemberNode(text, target, member.Member);
    }

    private CompiledNode BindIndex(IndexExpr index, string text, bool inFilter)
    {
        if (!inFilter && index.Target is NameExpr { Name: "context" } contextName)
        {
            if (index.Index is LiteralExpr { Value.Kind: ValueKind.String } key)
            {
                return BindContext(contextName, key.Value.AsString!, text);
            }

            throw Fail(ExpressionErrorKind.Type, index.Index, "a context attribute name must be a string literal");
        }

        if (TryGetSelector(index, inFilter, out _))
        {
            throw SelectorWithoutMember(index);
        }

        var target = Bind(index.Target, inFilter);
        var key2 = Bind(index.Index, inFilter);
        if (target.Type is not (ExprType.Any or ExprType.List))
        {
            throw Fail(ExpressionErrorKind.Type, index, $"cannot index {Article(target.Type)}");
        }

        if (key2.Type is not (ExprType.Number or ExprType.String or ExprType.Any or ExprType.Null))
        {
            throw Fail(ExpressionErrorKind.Type, index.Index, $"an index must be a number or a string, not {Article(key2.Type)}");
        }

        return new IndexNode(text, target, key2);
    }

    private CompiledNode BindContext(NameExpr contextName, string attribute, string text)
    {
        if (_kind != ExpressionKind.Flag)
        {
            throw ContextOutsideFlag(contextName);
        }

        if (_environment.ContextNames is { } allowed && !allowed.Contains(attribute))
        {
            throw Fail(ExpressionErrorKind.Name, contextName,
                $"unknown context attribute '{attribute}'{Suggest(attribute, allowed)}");
        }

        ReadsContext = true;
        return new ContextNode(text, attribute);
    }

    private CompiledNode BindCall(CallExpr call, string text, bool inFilter)
    {
        if (call.Target is MemberExpr method && TryGetSelector(method.Target, inFilter, out var selector))
        {
            if (method.Member == "where")
            {
                throw SelectorWithoutMember(call);
            }

            return BindSelectorCall(selector, method.Member, call, text);
        }

        if (call.Target is not NameExpr { Name: var name } target)
        {
            throw call.Target is MemberExpr { Member: var member } && BuiltinFunction.All.ContainsKey(member)
                ? Fail(ExpressionErrorKind.Name, call, $"{member} is not a method; write {member}(...) with the value as its first argument")
                : Fail(ExpressionErrorKind.Name, call, "only functions and event aggregates can be called");
        }

        if (name is "trait" or "segment")
        {
            return BindReference(call, name, text, inFilter);
        }

        if (!BuiltinFunction.All.TryGetValue(name, out var function))
        {
            throw Fail(ExpressionErrorKind.Name, target,
                $"unknown function '{name}'{Suggest(name, BuiltinFunction.All.Keys.Append("trait").Append("segment"))}");
        }

        if (function.ReadsClock && inFilter)
        {
            throw Fail(ExpressionErrorKind.Name, call, $"{name} cannot be used inside where(...): an event filter must not depend on the time of evaluation");
        }

        var count = call.Arguments.Length;
        var wanted = function.Parameters.Length;
        if (function.Variadic ? count < 1 : count != wanted)
        {
            throw Fail(ExpressionErrorKind.Name, call, function.Variadic
                ? $"{name} takes at least 1 argument"
                : $"{name} takes {wanted} argument{(wanted == 1 ? "" : "s")}, not {count}");
        }

        var arguments = call.Arguments.Select(argument => Bind(argument, inFilter)).ToArray();
        for (var i = 0; i < arguments.Length; i++)
        {
            var accepted = function.Parameters[Math.Min(i, wanted - 1)];
            var actual = arguments[i].Type;
            if (actual is not (ExprType.Any or ExprType.Null) && !accepted.Contains(actual))
            {
                throw Fail(ExpressionErrorKind.Type, call.Arguments[i],
                    $"{name} expects {string.Join(" or ", accepted.Select(Article))} as argument {i + 1}, not {Article(actual)}");
            }
        }

        if (name == "contains" && arguments[0].Type == ExprType.String && arguments[1].Type is not (ExprType.String or ExprType.Any or ExprType.Null))
        {
            throw Fail(ExpressionErrorKind.Type, call.Arguments[1], $"contains on a string looks for a string, not {Article(arguments[1].Type)}");
        }

        ReadsClock |= function.ReadsClock;
        var resultType = function.Result;
        if (name == "coalesce")
        {
            var types = arguments.Select(a => a.Type).Where(t => t != ExprType.Null).Distinct().ToList();
            resultType = types.Count == 1 ? types[0] : ExprType.Any;
        }

        return new FunctionNode(text, resultType, function, arguments);
    }

    private CompiledNode BindReference(CallExpr call, string function, string text, bool inFilter)
    {
        if (inFilter)
        {
            throw Fail(ExpressionErrorKind.Name, call, "traits and segments cannot be read inside where(...)");
        }

        if (call.Arguments.Length != 1)
        {
            throw Fail(ExpressionErrorKind.Name, call, $"{function} takes 1 argument, not {call.Arguments.Length}");
        }

        if (call.Arguments[0] is not LiteralExpr { Value.Kind: ValueKind.String } literal)
        {
            throw Fail(ExpressionErrorKind.Type, call.Arguments[0], $"{function}(...) needs the key as a string literal, as in {function}(\"vip_users\")");
        }

        var key = literal.Value.AsString!;
        if (function == "trait")
        {
            if (!_environment.Traits.TryGetValue(key, out var trait))
            {
                throw Fail(ExpressionErrorKind.Reference, call, $"trait '{key}' does not exist{Suggest(key, _environment.Traits.Keys)}");
            }

            TraitReferences.Add(key);
            return new TraitNode(text, trait.Type, trait.Slot, key);
        }

        if (!_environment.Segments.TryGetValue(key, out var slot))
        {
            throw Fail(ExpressionErrorKind.Reference, call, $"segment '{key}' does not exist{Suggest(key, _environment.Segments.Keys)}");
        }

        SegmentReferences.Add(key);
        return new SegmentNode(text, slot, key);
    }

    private CompiledNode BindUnary(UnaryExpr unary, string text, bool inFilter)
    {
        var operand = Bind(unary.Operand, inFilter);
        if (unary.Operator == UnaryOperator.Not)
        {
            RequireBool(operand, unary.Operand, "!");
            return new NotNode(text, operand);
        }

        if (operand.Type is not (ExprType.Number or ExprType.Any or ExprType.Null))
        {
            throw Fail(ExpressionErrorKind.Type, unary, $"'-' needs a number, not {Article(operand.Type)}");
        }

        var negated = new NegateNode(text, operand);
        return operand is ConstantNode ? new ConstantNode(text, ExprType.Number, negated.Evaluate(ConstantContext.Instance)) : negated;
    }

    private CompiledNode BindBinary(BinaryExpr binary, string text, bool inFilter)
    {
        var left = Bind(binary.Left, inFilter);
        var right = Bind(binary.Right, inFilter);
        var op = binary.Operator;
        var symbol = ExpressionPrinter.Text(op);
        switch (op)
        {
            case BinaryOperator.And:
            case BinaryOperator.Or:
                RequireBool(left, binary.Left, symbol);
                RequireBool(right, binary.Right, symbol);
                return op == BinaryOperator.And ? new AndNode(text, left, right) : new OrNode(text, left, right);
            case BinaryOperator.Equal:
            case BinaryOperator.NotEqual:
                RequireComparable(binary, left.Type, right.Type);
                return new BinaryNode(text, ExprType.Bool, op, left, right);
            case BinaryOperator.Less:
            case BinaryOperator.LessOrEqual:
            case BinaryOperator.Greater:
            case BinaryOperator.GreaterOrEqual:
                foreach (var side in new[] { left.Type, right.Type })
                {
                    if (side is ExprType.Bool or ExprType.List)
                    {
                        throw Fail(ExpressionErrorKind.Type, binary, $"'{symbol}' orders numbers or strings, not {Article(side)}");
                    }
                }

                RequireComparable(binary, left.Type, right.Type);
                return new BinaryNode(text, ExprType.Bool, op, left, right);
            case BinaryOperator.In:
            case BinaryOperator.NotIn:
                if (right.Type is not (ExprType.List or ExprType.Any or ExprType.Null))
                {
                    throw Fail(ExpressionErrorKind.Type, binary.Right, $"'{symbol}' needs a list on its right, not {Article(right.Type)}");
                }

                if (right is ConstantNode constant)
                {
                    foreach (var item in constant.Value.Items)
                    {
                        RequireComparable(binary, left.Type, TypeOf(item));
                    }
                }

                return new BinaryNode(text, ExprType.Bool, op, left, right);
            default:
                foreach (var (node, syntax) in new[] { (left, binary.Left), (right, binary.Right) })
                {
                    if (node.Type is not (ExprType.Number or ExprType.Any or ExprType.Null))
                    {
                        throw Fail(ExpressionErrorKind.Type, syntax, $"'{symbol}' needs numbers, not {Article(node.Type)}");
                    }
                }

                return new BinaryNode(text, ExprType.Number, op, left, right);
        }
    }

    private void RequireBool(CompiledNode node, Expr syntax, string symbol)
    {
        if (node.Type is not (ExprType.Bool or ExprType.Any))
        {
            throw Fail(ExpressionErrorKind.Type, syntax, $"'{symbol}' needs a bool, not {Article(node.Type)}");
        }
    }

    private void RequireComparable(Expr syntax, ExprType left, ExprType right)
    {
        if (!ExprTypes.Comparable(left, right))
        {
            throw Fail(ExpressionErrorKind.Type, syntax, $"cannot compare {left.Name()} with {right.Name()}");
        }
    }

    internal static ExprType TypeOf(Value value) => value.Kind switch
    {
        ValueKind.Bool => ExprType.Bool,
        ValueKind.Number => ExprType.Number,
        ValueKind.String => ExprType.String,
        ValueKind.List => ExprType.List,
        ValueKind.Object => ExprType.Any,
        _ => ExprType.Null,
    };

    internal static string Article(ExprType type) => type switch
    {
        ExprType.Bool => "a bool",
        ExprType.Number => "a number",
        ExprType.String => "a string",
        ExprType.List => "a list",
        ExprType.Any => "a value",
        _ => "null",
    };

    private BindException ContextOutsideFlag(Expr at) =>
        Fail(ExpressionErrorKind.Name, at, "context is only available in flag rules");

    private BindException SelectorWithoutMember(Expr at) =>
        Fail(ExpressionErrorKind.Type, at, $"{at} is an event selector; add a member such as .count_30d");

    private BindException Fail(ExpressionErrorKind kind, Expr at, string detail) =>
        new(new ExpressionError(kind, at.Span, _source, detail));

    /// <summary>"; did you mean 'x'?" for the closest candidate within a small edit distance, else "".</summary>
    internal static string Suggest(string word, IEnumerable<string> candidates)
    {
        var best = candidates
            .Distinct(StringComparer.Ordinal)
            .Select(candidate => (Candidate: candidate, Distance: EditDistance.Between(word, candidate)))
            .Where(c => c.Distance <= Math.Max(1, Math.Min(3, word.Length / 3)))
            .OrderBy(c => c.Distance)
            .ThenBy(c => c.Candidate, StringComparer.Ordinal)
            .Select(c => c.Candidate)
            .FirstOrDefault();
        return best is null ? "" : $"; did you mean '{best}'?";
    }

    [GeneratedRegex("^(first|last)_seen_(minutes|hours|days)_ago$", RegexOptions.CultureInvariant)]
    private static partial Regex SeenAgoPattern();

    [GeneratedRegex("^count_(?:(?<n>[0-9]{1,7})(?<u>[mhdw])|(?<all>all))$", RegexOptions.CultureInvariant)]
    private static partial Regex CountMemberPattern();

    [GeneratedRegex("^unique_days_(?<n>[0-9]{1,7})d$", RegexOptions.CultureInvariant)]
    private static partial Regex UniqueDaysMemberPattern();

    private sealed class BindException(ExpressionError error) : Exception(error.Message)
    {
        public ExpressionError Error { get; } = error;
    }

    /// <summary>Evaluates constant sub-expressions at compile time.</summary>
    private sealed class ConstantContext : IEvaluationContext
    {
        public static readonly ConstantContext Instance = new();

        public DateTimeOffset Now => default;

        public Value Profile => Value.Null;

        public Value EventProperties => Value.Null;

        public Value GetAggregate(int slot) => Value.Null;

        public long GetAggregateEventCount(int slot) => 0;

        public Value GetTrait(int slot) => Value.Null;

        public bool GetSegment(int slot) => false;

        public Value GetContext(string name) => Value.Null;
    }

    /// <summary>A window from a member name such as <c>count_30d</c>: 1 to 1,000,000 units, like a duration literal.</summary>
    private Window ParseWindowLiteral(string amount, string unit, Expr at)
    {
        var value = long.Parse(amount, CultureInfo.InvariantCulture);
        if (value is < 1 or > 1_000_000)
        {
            throw Fail(ExpressionErrorKind.Window, at, "a window must be a whole number from 1 to 1000000 followed by m, h, d or w");
        }

        return new Window(value, unit switch
        {
            "m" => DurationUnit.Minutes,
            "h" => DurationUnit.Hours,
            "d" => DurationUnit.Days,
            _ => DurationUnit.Weeks,
        });
    }
}
