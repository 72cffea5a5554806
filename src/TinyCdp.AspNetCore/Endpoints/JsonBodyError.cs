namespace TinyCdp.AspNetCore.Endpoints;

/// <summary>
/// Why a JSON body was refused (<see cref="JsonBody"/>): <see cref="Field"/> is <c>body</c> for the body
/// as a whole, else the JSON path of the value at fault; <see cref="TooLarge"/> for a body over the limit (413).
/// </summary>
internal sealed record JsonBodyError(string Field, string Message, bool TooLarge = false);
