using System.Text.Json;
using TinyCdp.AspNetCore.Auth;
using TinyCdp.AspNetCore.Endpoints.Admin;
using TinyCdp.Definitions;
using TinyCdp.Language;

namespace TinyCdp.AspNetCore.Endpoints;

/// <summary>
/// <c>POST /v1/admin/preview</c>: what a draft trait, segment or flag rule would match if saved, over a
/// random sample of stored profiles (<see cref="IDefinitionsService.PreviewAsync"/>). A draft that does not
/// compile is answered like <c>/v1/admin/validate</c> answers it: 200 with <c>valid: false</c>, the message and the span.
/// </summary>
internal static class AdminPreviewEndpoints
{
    private const int MaxSampleSize = 10_000;

    public static IEndpointRouteBuilder MapAdminPreviewEndpoints(this IEndpointRouteBuilder routes)
    {
        routes.MapPost("/v1/admin/preview", PreviewAsync).RequireAuthorization(Tiers.Admin).WithTags("admin");
        return routes;
    }

    private static async Task<IResult> PreviewAsync(HttpContext context, IDefinitionsService definitions)
    {
        var (document, error) = await AdminHttp.ReadObjectAsync(context.Request);
        if (error is not null)
        {
            return error;
        }

        using (document)
        {
            var root = document!.RootElement;
            if (!AdminHttp.TryReadDraft(root, out var expression, out var kind, out error))
            {
                return error!;
            }

            var sampleSize = MaxSampleSize;
            if (root.TryGetProperty("sampleSize", out var size) && size.ValueKind != JsonValueKind.Null
                && (size.ValueKind != JsonValueKind.Number || !size.TryGetInt32(out sampleSize) || sampleSize is < 1 or > MaxSampleSize))
            {
                return AdminHttp.FieldError("sampleSize", $"sampleSize must be an integer from 1 to {MaxSampleSize}");
            }

            var preview = await definitions.PreviewAsync(kind, expression!, sampleSize, context.RequestAborted);
            if (preview.Error is { } compileError)
            {
                return AdminHttp.Json(writer =>
                {
                    writer.WriteBoolean("valid", false);
                    writer.WriteString("error", compileError.Message);
                    AdminHttp.WriteSpan(writer, compileError);
                });
            }

            return AdminHttp.Json(writer =>
            {
                writer.WriteBoolean("valid", true);
                writer.WriteString("resultType", preview.ResultType!.Value.Name());
                writer.WriteNumber("sampled", preview.Sampled);
                writer.WriteNumber("matched", preview.Matched);
                writer.WriteStartArray("matches");
                foreach (var match in preview.Matches)
                {
                    writer.WriteStartObject();
                    writer.WriteString("profileId", match.ProfileId);
                    writer.WriteString("userId", match.UserId);
                    writer.WriteString("anonymousId", match.AnonymousId);
                    writer.WritePropertyName("value");
                    match.Value.WriteTo(writer);
                    writer.WriteEndObject();
                }

                writer.WriteEndArray();
            });
        }
    }
}
