using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;

namespace TinyCdp.AspNetCore.Auth;

/// <summary>
/// Answers a missing or invalid key with 401 and a key without the tier with 403, as problem
/// details carrying the seed's messages (<c>Valid API key required</c>, <c>admin permission required</c>).
/// </summary>
internal sealed class ProblemAuthorizationResultHandler : IAuthorizationMiddlewareResultHandler
{
    private readonly AuthorizationMiddlewareResultHandler _default = new();

    public Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult) =>
        authorizeResult.Succeeded
            ? next(context) // the common case: straight on, without a state machine around the whole endpoint
            : HandleFailureAsync(next, context, policy, authorizeResult);

    private async Task HandleFailureAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        if (authorizeResult.Challenged)
        {
            await Problems.Result(StatusCodes.Status401Unauthorized, "unauthenticated", "Valid API key required").ExecuteAsync(context).ConfigureAwait(false);
            return;
        }

        if (authorizeResult.Forbidden)
        {
            var tier = policy.Requirements.OfType<TierRequirement>().FirstOrDefault()?.Tier;
            var name = tier is { } required ? Tiers.Name(required) : "more";
            await Problems.Result(StatusCodes.Status403Forbidden, "permission_denied", $"{name} permission required").ExecuteAsync(context).ConfigureAwait(false);
            return;
        }

        await _default.HandleAsync(next, context, policy, authorizeResult).ConfigureAwait(false);
    }
}
