namespace TinyCdp.Language.Syntax;

/// <summary>Measures tree depth without recursion, so that later passes can recurse safely.</summary>
internal static class SyntaxDepth
{
    public static bool Exceeds(Expr root, int limit, out TextSpan deepest)
    {
        var stack = new Stack<(Expr Node, int Depth)>();
        stack.Push((root, 1));
        while (stack.Count > 0)
        {
            var (node, depth) = stack.Pop();
            if (depth > limit)
            {
                deepest = node.Span;
                return true;
            }

            foreach (var child in Children(node))
            {
                stack.Push((child, depth + 1));
            }
        }

        deepest = default;
        return false;
    }

    public static IEnumerable<Expr> Children(Expr node) => node switch
    {
        ListExpr list => list.Items,
        MemberExpr member => [member.Target],
        IndexExpr index => [index.Target, index.Index],
        CallExpr call => [call.Target, .. call.Arguments],
        UnaryExpr unary => [unary.Operand],
        BinaryExpr binary => [binary.Left, binary.Right],
        _ => [],
    };
}
