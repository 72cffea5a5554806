using System.Diagnostics.CodeAnalysis;
using System.Text.Json.Serialization;
using TinyCdp.Engine;
using TinyCdp.Ingestion;
using TinyCdp.AspNetCore.Auth;
using TinyCdp.AspNetCore.Endpoints.Ingest;

namespace TinyCdp.AspNetCore.Endpoints;

/// <summary>
/// Routes of the Ingest group (HTTP-API.md): <c>/v1/track</c>, <c>/v1/identify</c>, <c>/v1/alias</c>,
/// <c>/v1/page</c>, <c>/v1/screen</c>, <c>/v1/group</c>, <c>/v1/batch</c> and <c>/v1/import</c>. Bodies are
/// read as raw bytes whatever the content type (<c>sendBeacon</c> posts <c>text/plain</c>) and
/// validated by <see cref="MessageReader"/>.
/// </summary>
internal static class IngestEndpoints
{
    public static IEndpointRouteBuilder MapIngestEndpoints(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/v1")
            .RequireAuthorization(Tiers.Write)
            .WithMetadata(BodyKeyMetadata.Instance)
            .RequireCors(Cors.ClientPolicy)
            .WithTags("Ingest");

        group.MapPost("/track", (HttpContext context, ITinyCdp cdp) => SendAsync(context, cdp, MessageKind.Track,
            item => new TrackAnswer(true, item.MessageId, item.Duplicate, item.Suppressed)));
        group.MapPost("/identify", (HttpContext context, ITinyCdp cdp) => SendAsync(context, cdp, MessageKind.Identify,
            item => new IdentifyAnswer(item.ProfileId == Guid.Empty ? null : item.ProfileId.ToString(), true, item.Duplicate, item.Suppressed)));
        foreach (var (path, kind) in new[] { ("/alias", MessageKind.Alias), ("/page", MessageKind.Page), ("/screen", MessageKind.Screen), ("/group", MessageKind.Group) })
        {
            group.MapPost(path, (HttpContext context, ITinyCdp cdp) => SendAsync(context, cdp, kind,
                item => new SuccessAnswer(true, item.Duplicate, item.Suppressed)));
        }

        group.MapPost("/batch", BatchAsync);
        group.MapPost("/import", BatchAsync);
        return routes;
    }

    /// <summary>Read body → parse as one message of <paramref name="kind"/> → send → answer.</summary>
    private static async Task<IResult> SendAsync<TAnswer>(HttpContext context, ITinyCdp cdp, MessageKind kind, Func<IngestResult, TAnswer> answer)
    {
        var body = await RequestBody.ReadAsync(context.Request, TinyCdpApiOptions.MaxRequestBodyBytes, context.RequestAborted).ConfigureAwait(false);
        if (IsRejected(body, out var rejected))
        {
            return rejected;
        }

        if (!MessageReader.TryReadMessage(body, kind, out var message, out _, out var error))
        {
            return Problem(error);
        }

        var result = await cdp.SendAsync(message, context.RequestAborted).ConfigureAwait(false);
        return result.Error is { } invalid ? Problem(invalid) : TypedResults.Ok(answer(result.Items[0]));
    }

    private static async Task<IResult> BatchAsync(HttpContext context, ITinyCdp cdp)
    {
        var body = await RequestBody.ReadAsync(context.Request, TinyCdpApiOptions.MaxRequestBodyBytes, context.RequestAborted).ConfigureAwait(false);
        if (IsRejected(body, out var rejected))
        {
            return rejected;
        }

        if (!MessageReader.TryReadBatch(body, out var batch, out var error))
        {
            return Problem(error);
        }

        var result = await cdp.BatchAsync(batch.Messages, context.RequestAborted).ConfigureAwait(false);
        return result.Error is { } invalid
            ? Problem(invalid)
            : TypedResults.Ok(new BatchAnswer(true, result.Stored, result.Duplicates));
    }

    /// <summary>413 for a body over the limit (null), 400 for an empty one.</summary>
    private static bool IsRejected([NotNullWhen(false)] byte[]? body, [NotNullWhen(true)] out IResult? problem)
    {
        problem = body switch
        {
            null => Problems.Result(StatusCodes.Status413PayloadTooLarge, "resource_exhausted", "request body too large"),
            [] => Problem(new MessageError(MessageErrorKind.Malformed, "body", "body is required", null)),
            _ => null,
        };
        return problem is not null;
    }

    private static IResult Problem(MessageError error) => error.Kind == MessageErrorKind.TooLarge
        ? Problems.Result(StatusCodes.Status413PayloadTooLarge, "resource_exhausted", error.Message,
            new Dictionary<string, object?> { ["errors"] = Errors(error) })
        : Problems.BadRequest(error.Message, new Dictionary<string, object?> { ["errors"] = Errors(error) });

    private static Dictionary<string, string[]> Errors(MessageError error) => new(StringComparer.Ordinal) { [error.Field] = [error.Message] };

    private sealed record TrackAnswer(
        bool Success,
        string EventId,
        bool Duplicate,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] bool Suppressed);

    private sealed record IdentifyAnswer(
        [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? UserId,
        bool Success,
        bool Duplicate,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] bool Suppressed);

    private sealed record SuccessAnswer(
        bool Success,
        bool Duplicate,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] bool Suppressed);

    private sealed record BatchAnswer(bool Success, int Accepted, int Duplicates);
}
