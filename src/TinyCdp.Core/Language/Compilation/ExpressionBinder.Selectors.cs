using System.Collections.Immutable;
using TinyCdp.Language.Syntax;

namespace TinyCdp.Language.Compilation;

/// <summary>Event selectors (<c>events.x</c>, <c>events["X"]</c>, <c>.where(...)</c>) and their members.</summary>
internal sealed partial class ExpressionBinder
{
    private sealed record Selector(string EventName, Expr? FilterSyntax, Expr Syntax);

    /// <summary>Recognises a selector; false when <paramref name="expression"/> is not one at all.</summary>
    private bool TryGetSelector(Expr expression, bool inFilter, out Selector selector)
    {
        selector = null!;
        switch (expression)
        {
            case MemberExpr { Target: NameExpr { Name: "events" } } member:
                RejectInFilter(inFilter, expression);
                selector = new Selector(member.Member, null, expression);
                return true;
            case IndexExpr { Target: NameExpr { Name: "events" } } index:
                RejectInFilter(inFilter, expression);
                if (index.Index is not LiteralExpr { Value.Kind: ValueKind.String } name)
                {
                    throw Fail(ExpressionErrorKind.Type, index.Index, "an event name in events[...] must be a string literal");
                }

                selector = new Selector(name.Value.AsString!, null, expression);
                return true;
            case CallExpr { Target: MemberExpr { Member: "where" } where } call when TryGetSelector(where.Target, inFilter, out var inner):
                if (call.Arguments.Length != 1)
                {
                    throw Fail(ExpressionErrorKind.Name, call, $"where takes 1 argument, not {call.Arguments.Length}");
                }

                // Chained filters are one filter: where(a).where(b) is where(a && b), and shares its aggregates.
                var predicate = call.Arguments[0];
                var combined = inner.FilterSyntax is null ? predicate : new BinaryExpr(BinaryOperator.And, inner.FilterSyntax, predicate);
                selector = new Selector(inner.EventName, combined, expression);
                return true;
            default:
                return false;
        }
    }

    private void RejectInFilter(bool inFilter, Expr at)
    {
        if (inFilter)
        {
            throw Fail(ExpressionErrorKind.Name, at, "aggregates cannot be used inside where(...)");
        }
    }

    private CompiledNode BindSelectorMember(Selector selector, MemberExpr member, string text)
    {
        var name = member.Member;
        if (CountMemberPattern().Match(name) is { Success: true } count)
        {
            var window = count.Groups["all"].Success ? Window.All : ParseWindowLiteral(count.Groups["n"].Value, count.Groups["u"].Value, member);
            return Aggregate(text, selector, AggregateKind.Count, null, CheckWindow(window, member), ExprType.Number);
        }

        if (UniqueDaysMemberPattern().Match(name) is { Success: true } days)
        {
            return Aggregate(text, selector, AggregateKind.UniqueDays, null, CheckWindow(ParseWindowLiteral(days.Groups["n"].Value, "d", member), member), ExprType.Number);
        }

        if (SeenAgoPattern().Match(name) is { Success: true } seen)
        {
            return BindSeenAgo(text, selector.EventName, Filter(selector), seen);
        }

        if (name is "count" or "unique_days" or "sum" or "avg" or "min" or "max" or "distinct" or "first" or "last")
        {
            throw Fail(ExpressionErrorKind.Name, member, $"{name} needs arguments, as in {UsageOf(name)}");
        }

        throw Fail(ExpressionErrorKind.Name, member,
            $"unknown member '{name}' of {selector.Syntax}{Suggest(name, SelectorMembers)}");
    }

    private CompiledNode BindSelectorCall(Selector selector, string method, CallExpr call, string text)
    {
        var arguments = call.Arguments;
        void RequireArguments(int count)
        {
            if (arguments.Length != count)
            {
                throw Fail(ExpressionErrorKind.Name, call, $"{method} takes {count} argument{(count == 1 ? "" : "s")}, as in {UsageOf(method)}");
            }
        }

        switch (method)
        {
            case "count":
                RequireArguments(1);
                return Aggregate(text, selector, AggregateKind.Count, null, WindowArgument(arguments[0]), ExprType.Number);
            case "unique_days":
                RequireArguments(1);
                var days = WindowArgument(arguments[0]);
                if (days.IsAll || days.Unit != DurationUnit.Days)
                {
                    throw Fail(ExpressionErrorKind.Window, arguments[0], "unique_days needs a window in days, such as 14d");
                }

                return Aggregate(text, selector, AggregateKind.UniqueDays, null, days, ExprType.Number);
            case "sum" or "avg" or "min" or "max" or "distinct":
                RequireArguments(2);
                var kind = method switch
                {
                    "sum" => AggregateKind.Sum,
                    "avg" => AggregateKind.Avg,
                    "min" => AggregateKind.Min,
                    "max" => AggregateKind.Max,
                    _ => AggregateKind.Distinct,
                };
                return Aggregate(text, selector, kind, PropertyArgument(arguments[0]), WindowArgument(arguments[1]), ExprType.Number);
            case "first" or "last":
                RequireArguments(1);
                return Aggregate(text, selector, method == "first" ? AggregateKind.First : AggregateKind.Last,
                    PropertyArgument(arguments[0]), Window.All, ExprType.Any);
            default:
                throw Fail(ExpressionErrorKind.Name, call.Target,
                    $"unknown member '{method}' of {selector.Syntax}{Suggest(method, SelectorMembers)}");
        }
    }

    private CompiledNode BindSeenAgo(string text, string? eventName, EventFilter? filter, System.Text.RegularExpressions.Match seen)
    {
        var kind = seen.Groups[1].Value == "first" ? AggregateKind.FirstSeen : AggregateKind.LastSeen;
        var unitTicks = seen.Groups[2].Value switch
        {
            "minutes" => TimeSpan.TicksPerMinute,
            "hours" => TimeSpan.TicksPerHour,
            _ => TimeSpan.TicksPerDay,
        };
        var requirement = new AggregateRequirement(eventName, filter, kind, null, Window.All);
        ReadsClock = true;
        return new SeenAgoNode(text, SlotFor(requirement), requirement, unitTicks);
    }

    private AggregateNode Aggregate(string text, Selector selector, AggregateKind kind, PropertyPath? property, Window window, ExprType type)
    {
        var requirement = new AggregateRequirement(selector.EventName, Filter(selector), kind, property, window);
        ReadsClock = true;
        return new AggregateNode(text, type, SlotFor(requirement), requirement);
    }

    private SlotReference SlotFor(AggregateRequirement requirement)
    {
        if (!_aggregates.TryGetValue(requirement, out var slot))
        {
            slot = new SlotReference();
            _aggregates.Add(requirement, slot);
        }

        return slot;
    }

    private EventFilter? Filter(Selector selector)
    {
        if (selector.FilterSyntax is null)
        {
            return null;
        }

        var filterBinder = new ExpressionBinder(_source, _environment, ExpressionKind.EventFilter);
        var predicate = filterBinder.Bind(selector.FilterSyntax, inFilter: true);
        if (predicate.Type is not (ExprType.Bool or ExprType.Any))
        {
            throw Fail(ExpressionErrorKind.Type, selector.FilterSyntax, $"where(...) needs a bool predicate, not {Article(predicate.Type)}");
        }

        ReadsProfile |= filterBinder.ReadsProfile;
        return new EventFilter(selector.FilterSyntax.ToString(), predicate, filterBinder.ReadsProfile);
    }

    private Window WindowArgument(Expr argument) => argument switch
    {
        DurationExpr duration => CheckWindow(duration.Window, argument),
        NameExpr { Name: "all" } => Window.All,
        _ => throw Fail(ExpressionErrorKind.Window, argument, "expected a window such as 30d, 24h, 2w or all"),
    };

    private Window CheckWindow(Window window, Expr at)
    {
        if (!window.IsAll && _environment.Retention is { } retention && window.Length > retention)
        {
            throw Fail(ExpressionErrorKind.Window, at, $"the window {window} is longer than the event retention ({FormatRetention(retention)})");
        }

        return window;
    }

    private static string FormatRetention(TimeSpan retention) =>
        retention.Ticks % TimeSpan.TicksPerDay == 0 ? $"{retention.Days}d"
        : retention.Ticks % TimeSpan.TicksPerHour == 0 ? $"{(long)retention.TotalHours}h"
        : $"{(long)retention.TotalMinutes}m";

    /// <summary>A static path into the event's properties: <c>amount</c>, <c>item.price</c>, <c>properties["order total"]</c>.</summary>
    private PropertyPath PropertyArgument(Expr argument)
    {
        var segments = new List<string>();
        var current = argument;
        while (true)
        {
            switch (current)
            {
                case MemberExpr member:
                    segments.Add(member.Member);
                    current = member.Target;
                    continue;
                case IndexExpr { Index: LiteralExpr { Value.Kind: ValueKind.String } key } index:
                    segments.Add(key.Value.AsString!);
                    current = index.Target;
                    continue;
                case NameExpr { Name: "properties" } when segments.Count > 0:
                    break;
                case NameExpr name when !Lexicon.IsReserved(name.Name) && name.Name != "properties":
                    segments.Add(name.Name);
                    break;
                default:
                    throw Fail(ExpressionErrorKind.Type, argument, "expected an event property, such as amount, item.price or properties[\"order total\"]");
            }

            break;
        }

        segments.Reverse();
        return new PropertyPath([.. segments]);
    }

    private static string UsageOf(string method) => method switch
    {
        "count" => "count(30d)",
        "unique_days" => "unique_days(14d)",
        "first" or "last" => $"{method}(amount)",
        _ => $"{method}(amount, 30d)",
    };
}
