using System.Net;
using System.Net.Http.Headers;
using System.Net.Mime;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ScaleControl.Cli.Api;

/// <summary>
/// The public REST API (<c>/api/v1</c>) as raw JSON: commands render tables from it and print it unchanged for
/// <c>-o json|yaml</c>. Every failure becomes an <see cref="ApiException"/> or <see cref="CliException"/> with one readable line.
/// </summary>
internal sealed class ScaleControlApi : IDisposable
{
    private readonly HttpClient _http;
    private readonly Uri _server;

    public ScaleControlApi(Uri server, string? token, TimeSpan timeout)
    {
        _server = server;
        _http = new HttpClient();
        _http.BaseAddress = new Uri(server, "api/v1/");
        _http.Timeout = timeout;
        _http.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("scalectl", ThisAssembly.Version));
        if (!string.IsNullOrEmpty(token))
        {
            _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }
    }

    public Task<JsonNode> GetAsync(string path, CancellationToken ct) => SendAsync(HttpMethod.Get, path, null, ct);

    public Task<JsonNode> PostAsync(string path, JsonNode? body, CancellationToken ct) => SendAsync(HttpMethod.Post, path, body ?? new JsonObject(), ct);

    public Task<JsonNode> PutAsync(string path, JsonNode body, CancellationToken ct) => SendAsync(HttpMethod.Put, path, body, ct);

    public Task<JsonNode> DeleteAsync(string path, CancellationToken ct) => SendAsync(HttpMethod.Delete, path, null, ct);

    /// <summary>
    /// An override (freeze, unfreeze, unpin) under one <c>Idempotency-Key</c>: when no answer came (the connection broke,
    /// the timeout passed), it is sent once more with the same key, and the server carries it out and records it once.
    /// </summary>
    public async Task<JsonNode> SendOverrideAsync(HttpMethod method, string path, JsonNode? body, CancellationToken ct)
    {
        var key = Guid.NewGuid().ToString("N");
        try
        {
            return (await ExchangeAsync(method, path, body, ct, key)).Body;
        }
        catch (CliException) when (!ct.IsCancellationRequested)
        {
            return (await ExchangeAsync(method, path, body, ct, key)).Body;
        }
    }

    /// <summary>Like <see cref="PutAsync"/> but also says whether the object was created (201) or updated (200).</summary>
    public async Task<(JsonNode Body, bool Created)> PutWithStatusAsync(string path, JsonNode body, CancellationToken ct)
    {
        var (status, node) = await ExchangeAsync(HttpMethod.Put, path, body, ct);
        return (node, status == HttpStatusCode.Created);
    }

    /// <summary>The last successful response's warnings (<c>Warning: 299</c>, as the Kubernetes API sends them): printed, never fatal.</summary>
    public IReadOnlyList<string> Warnings { get; private set; } = [];

    public void Dispose() => _http.Dispose();

    private async Task<JsonNode> SendAsync(HttpMethod method, string path, JsonNode? body, CancellationToken ct) =>
        (await ExchangeAsync(method, path, body, ct)).Body;

    private async Task<(HttpStatusCode Status, JsonNode Body)> ExchangeAsync(HttpMethod method, string path, JsonNode? body, CancellationToken ct, string? idempotencyKey = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (idempotencyKey is not null)
        {
            request.Headers.Add("Idempotency-Key", idempotencyKey);
        }

        if (body is not null)
        {
            request.Content = new StringContent(body.ToJsonString(), Encoding.UTF8, MediaTypeNames.Application.Json);
        }

        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request, ct);
        }
        catch (HttpRequestException e)
        {
            throw new CliException($"cannot reach ScaleControl at {_server}: {Innermost(e).Message}", e);
        }
        catch (TaskCanceledException e) when (!ct.IsCancellationRequested)
        {
            throw new CliException($"ScaleControl at {_server} did not answer within {_http.Timeout.TotalSeconds:0}s", e);
        }

        using (response)
        {
            var text = await response.Content.ReadAsStringAsync(ct);
            if (!response.IsSuccessStatusCode)
            {
                throw Problem(response.StatusCode, text);
            }

            Warnings = [.. response.Headers.Warning.Select(w => w.Text.Trim('"'))];
            return (response.StatusCode, Parse(text) ?? new JsonObject());
        }
    }

    private JsonNode? Parse(string text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        try
        {
            return JsonNode.Parse(text);
        }
        catch (JsonException e)
        {
            throw new CliException($"ScaleControl at {_server} sent a response that is not JSON: {e.Message}", e);
        }
    }

    private static ApiException Problem(HttpStatusCode status, string text)
    {
        JsonObject? problem = null;
        try
        {
            problem = string.IsNullOrWhiteSpace(text) ? null : JsonNode.Parse(text) as JsonObject;
        }
        catch (JsonException)
        {
            // Not a problem document (a proxy's HTML page, say): the status alone has to do.
        }

        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (problem?["errors"] is JsonObject fieldErrors)
        {
            foreach (var (field, messages) in fieldErrors)
            {
                errors[field] = messages is JsonArray list
                    ? [.. list.Select(m => m?.ToString() ?? "")]
                    : [messages?.ToString() ?? ""];
            }
        }

        return new ApiException(status, Text(problem, "title"), Text(problem, "detail"), errors);
    }

    private static string? Text(JsonObject? problem, string key) =>
        problem?[key] is JsonValue v && v.GetValueKind() == JsonValueKind.String && v.GetValue<string>() is { Length: > 0 } s ? s : null;

    private static Exception Innermost(Exception e) => e.InnerException is null ? e : Innermost(e.InnerException);
}
