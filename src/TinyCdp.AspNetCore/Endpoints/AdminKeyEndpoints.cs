using TinyCdp.Keys;
using TinyCdp.AspNetCore.Auth;
using TinyCdp.AspNetCore.Endpoints.Admin;

namespace TinyCdp.AspNetCore.Endpoints;

/// <summary>Routes of the AdminKey group (HTTP-API.md "Admin"): create, list and revoke API keys.</summary>
internal static class AdminKeyEndpoints
{
    public static IEndpointRouteBuilder MapAdminKeyEndpoints(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/v1/admin/keys").RequireAuthorization(Tiers.Admin).WithTags("admin");
        group.MapPost("/", CreateAsync);
        group.MapGet("/", async (IApiKeyService keys, CancellationToken ct) =>
        {
            var list = await keys.ListAsync(ct);
            return AdminHttp.Json(writer =>
            {
                writer.WriteStartArray("keys");
                foreach (var key in list)
                {
                    writer.WriteStartObject();
                    writer.WriteString("id", key.Id);
                    writer.WriteString("kind", Tiers.Name(key.Kind));
                    writer.WriteString("description", key.Description);
                    writer.WriteString("createdAt", AdminHttp.Iso(key.CreatedAt));
                    AdminHttp.WriteInstant(writer, "revokedAt", key.RevokedAt);
                    writer.WriteBoolean("active", key.Active);
                    writer.WriteEndObject();
                }

                writer.WriteEndArray();
            });
        });
        group.MapDelete("/{id}", async (string id, IApiKeyService keys, CancellationToken ct) =>
            await keys.RevokeAsync(id, ct) ? Results.NoContent() : Problems.NotFound($"API key '{id}' not found"));
        return routes;
    }

    private static async Task<IResult> CreateAsync(HttpContext context, IApiKeyService keys)
    {
        var (document, error) = await AdminHttp.ReadObjectAsync(context.Request);
        if (error is not null)
        {
            return error;
        }

        using (document)
        {
            var root = document!.RootElement;
            if (!AdminHttp.TryGetString(root, "kind", true, out var kindName, out error)
                || !AdminHttp.TryGetString(root, "description", false, out var description, out error))
            {
                return error!;
            }

            ApiKeyKind kind;
            switch (kindName)
            {
                case Tiers.Read:
                    kind = ApiKeyKind.Read;
                    break;
                case Tiers.Write:
                    kind = ApiKeyKind.Write;
                    break;
                case Tiers.Admin:
                    kind = ApiKeyKind.Admin;
                    break;
                default:
                    return AdminHttp.FieldError("kind", "kind must be read, write or admin");
            }

            var created = await keys.CreateAsync(kind, description, context.RequestAborted);
            return AdminHttp.Json(writer =>
            {
                writer.WriteString("id", created.Info.Id);
                writer.WriteString("key", created.Secret);
                writer.WriteString("kind", Tiers.Name(created.Info.Kind));
                writer.WriteString("description", created.Info.Description);
                writer.WriteString("createdAt", AdminHttp.Iso(created.Info.CreatedAt));
            }, StatusCodes.Status201Created);
        }
    }
}
