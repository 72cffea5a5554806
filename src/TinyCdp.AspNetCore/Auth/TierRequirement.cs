using Microsoft.AspNetCore.Authorization;
using TinyCdp.Keys;

namespace TinyCdp.AspNetCore.Auth;

/// <summary>The caller's key must be of this tier or a higher one (admin ⊇ write ⊇ read).</summary>
internal sealed class TierRequirement(ApiKeyKind tier) : IAuthorizationRequirement
{
    public ApiKeyKind Tier { get; } = tier;
}

/// <summary>
/// Checks <see cref="TierRequirement"/> against the caller's tier. Synchronous and allocation-free:
/// an <see cref="IAuthorizationHandler"/> of its own rather than <c>AuthorizationHandler&lt;T&gt;</c>,
/// whose <c>HandleAsync</c> filters the requirements through LINQ and awaits each one; the policy's
/// requirements are read by index, and the tier from the shared principal without searching claims.
/// </summary>
internal sealed class TierRequirementHandler : IAuthorizationHandler
{
    public Task HandleAsync(AuthorizationHandlerContext context)
    {
        if (context.Requirements is IReadOnlyList<IAuthorizationRequirement> requirements)
        {
            for (var i = 0; i < requirements.Count; i++)
            {
                Check(context, requirements[i]);
            }
        }
        else
        {
            foreach (var requirement in context.Requirements)
            {
                Check(context, requirement);
            }
        }

        return Task.CompletedTask;
    }

    private static void Check(AuthorizationHandlerContext context, IAuthorizationRequirement requirement)
    {
        if (requirement is TierRequirement tierRequirement && Tiers.Of(context.User) is { } tier && tier >= tierRequirement.Tier)
        {
            context.Succeed(requirement);
        }
    }
}
