using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace ScaleControl.Server.Tests.Infrastructure;

public static class Http
{
    public static JsonSerializerOptions Json { get; } = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };

    public static Task<HttpResponseMessage> PostJson<T>(this HttpClient client, string url, T body) => client.PostAsJsonAsync(url, body, Json);

    public static Task<HttpResponseMessage> PutJson<T>(this HttpClient client, string url, T body) => client.PutAsJsonAsync(url, body, Json);

    public static async Task<T> Read<T>(this HttpResponseMessage response) =>
        (await response.Content.ReadFromJsonAsync<T>(Json))!;

    public static async Task<JsonElement> ReadJson(this HttpResponseMessage response) =>
        await response.Content.ReadFromJsonAsync<JsonElement>(Json);
}
