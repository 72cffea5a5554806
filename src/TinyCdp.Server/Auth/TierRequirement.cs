using Microsoft.AspNetCore.Authorization;
using TinyCdp.Storage;

namespace TinyCdp.Server.Auth;

/// <summary>The caller's key must be of this tier or a higher one (admin ⊇ write ⊇ read).</summary>
internal sealed class TierRequirement(ApiKeyKind tier) : IAuthorizationRequirement
{
    public ApiKeyKind Tier { get; } = tier;
}

/// <summary>Checks <see cref="TierRequirement"/> against the tier claim the key handler sets.</summary>
internal sealed class TierRequirementHandler : AuthorizationHandler<TierRequirement>
{
    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, TierRequirement requirement)
    {
        if (Tiers.Of(context.User) is { } tier && tier >= requirement.Tier)
        {
            context.Succeed(requirement);
        }

        return Task.CompletedTask;
    }
}
