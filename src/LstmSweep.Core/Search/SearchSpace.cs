using System.Text.Json;
using System.Text.Json.Serialization;
using LstmSweep.Core.Trials;

namespace LstmSweep.Core.Search;

/// <summary>A hyperparameter's domain without its value type, as the samplers iterate it.</summary>
public interface IParameterDomain
{
    /// <summary>A range {min, max, log} (numeric rows, random and TPE only) rather than a list.</summary>
    bool IsRange { get; }

    /// <summary>How many values the list holds (0 for a range).</summary>
    int Count { get; }

    /// <summary>The i-th listed value, boxed.</summary>
    object ValueAt(int index);

    /// <summary>The position of <paramref name="value"/> in the list, or −1.</summary>
    int IndexOf(object value);

    double Low { get; }

    double High { get; }

    bool Log { get; }
}

/// <summary>One hyperparameter's domain: a list of values, or (numeric only, random/TPE only) a range.</summary>
public sealed record ParameterDomain<T>(IReadOnlyList<T>? Values, T? Min = default, T? Max = default, bool Log = false)
    : IParameterDomain
{
    public bool IsRange => Values is null;
    public static ParameterDomain<T> Of(params T[] values) => new(values);
    public static ParameterDomain<T> Range(T min, T max, bool log = false) => new(null, min, max, log);

    public int Count => Values?.Count ?? 0;

    public object ValueAt(int index) => Values![index]!;

    public int IndexOf(object value)
    {
        if (Values is null) return -1;
        for (var i = 0; i < Values.Count; i++)
            if (Equals(Values[i], value)) return i;
        return -1;
    }

    public double Low => Convert.ToDouble(Min, System.Globalization.CultureInfo.InvariantCulture);

    public double High => Convert.ToDouble(Max, System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Same list (element by element) or same range.</summary>
    public bool Equals(ParameterDomain<T>? other) =>
        other is not null && Log == other.Log && Equals(Min, other.Min) && Equals(Max, other.Max)
        && (Values is null ? other.Values is null : other.Values is not null && Values.SequenceEqual(other.Values));

    public override int GetHashCode() => HashCode.Combine(Count, Min, Max, Log);
}

/// <summary>
/// The hyperparameters a sweep searches over: a domain for each row of <see cref="Hyperparameters"/> the spec gives;
/// a row left out is its default (<see cref="Hyperparameter.DefaultFor"/>), resolved per trial after the given rows
/// are drawn, so learning_rate left out follows the optimizer drawn.
/// </summary>
/// <remarks>
/// JSON: an object from spec key to {values, min, max, log}, as journals written before the table stored it (those
/// gave all seven original keys, so their learning_rate stays what it was).
/// </remarks>
[JsonConverter(typeof(SearchSpaceJsonConverter))]
public sealed class SearchSpace : IEquatable<SearchSpace>
{
    private readonly IReadOnlyDictionary<Hyperparameter, IParameterDomain> given;

    public SearchSpace(IEnumerable<KeyValuePair<Hyperparameter, IParameterDomain>> given) =>
        this.given = given.ToDictionary(pair => pair.Key, pair => pair.Value);

    /// <summary>Every row at its default.</summary>
    public static SearchSpace Empty { get; } = new([]);

    /// <summary>The domain the spec gave for <paramref name="row"/>, or null when it left the key out.</summary>
    public IParameterDomain? Given(Hyperparameter row) => given.GetValueOrDefault(row);

    /// <summary>The given rows, in table order.</summary>
    public IEnumerable<Hyperparameter> GivenRows => Hyperparameters.All.Where(given.ContainsKey);

    /// <summary>The row's domain: the given one, or its one default value (for a config of defaults).</summary>
    public IParameterDomain DomainOf(Hyperparameter row) =>
        Given(row) ?? new ParameterDomain<object>([row.ValueOf(Hyperparameters.Defaults)]);

    /// <summary>The row's domain with its type: the given one, or its one default value (for a config of defaults).</summary>
    public ParameterDomain<T> Get<T>(Hyperparameter<T> row) where T : notnull =>
        Given(row) as ParameterDomain<T> ?? ParameterDomain<T>.Of(row.Get(Hyperparameters.Defaults));

    public SearchSpace With<T>(Hyperparameter<T> row, ParameterDomain<T> domain) where T : notnull =>
        new(given.Where(pair => pair.Key != row).Append(KeyValuePair.Create<Hyperparameter, IParameterDomain>(row, domain)));

    /// <summary>A space giving these domains (the other rows at their defaults).</summary>
    public static SearchSpace Of(params (Hyperparameter Row, IParameterDomain Domain)[] domains) =>
        new(domains.Select(d => KeyValuePair.Create(d.Row, d.Domain)));

    public bool Equals(SearchSpace? other) =>
        other is not null && given.Count == other.given.Count
        && given.All(pair => other.given.TryGetValue(pair.Key, out var domain) && pair.Value.Equals(domain));

    public override bool Equals(object? obj) => Equals(obj as SearchSpace);

    public override int GetHashCode() => given.Count;
}

/// <summary>Reads and writes a <see cref="SearchSpace"/> as key → {values, min, max, log}; values as the row's JSON.</summary>
internal sealed class SearchSpaceJsonConverter : JsonConverter<SearchSpace>
{
    public override SearchSpace Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        using var document = JsonDocument.ParseValue(ref reader);
        if (document.RootElement.ValueKind != JsonValueKind.Object) throw new JsonException("a search space is an object");
        var domains = new List<KeyValuePair<Hyperparameter, IParameterDomain>>();
        foreach (var property in document.RootElement.EnumerateObject())
        {
            // A key this version does not know (a journal from a newer one) cannot be honoured: say so.
            var row = Hyperparameters.Find(property.Name) ?? throw new JsonException($"unknown hyperparameter '{property.Name}'");
            domains.Add(KeyValuePair.Create(row, ReadDomain(row, property.Value)));
        }
        return new SearchSpace(domains);
    }

    public override void Write(Utf8JsonWriter writer, SearchSpace value, JsonSerializerOptions options)
    {
        writer.WriteStartObject();
        foreach (var row in value.GivenRows)
        {
            var domain = value.Given(row)!;
            writer.WriteStartObject(row.Key);
            if (domain.IsRange)
            {
                writer.WriteNull("values");
                writer.WritePropertyName("min");
                WriteValue(writer, row, row.FromNumber(domain.Low));
                writer.WritePropertyName("max");
                WriteValue(writer, row, row.FromNumber(domain.High));
            }
            else
            {
                writer.WriteStartArray("values");
                for (var i = 0; i < domain.Count; i++) WriteValue(writer, row, domain.ValueAt(i));
                writer.WriteEndArray();
            }
            writer.WriteBoolean("log", domain.Log);
            writer.WriteEndObject();
        }
        writer.WriteEndObject();
    }

    static void WriteValue(Utf8JsonWriter writer, Hyperparameter row, object value)
    {
        switch (value)
        {
            case int i: writer.WriteNumberValue(i); break;
            case double d: writer.WriteNumberValue(d); break;
            case bool b: writer.WriteBooleanValue(b); break;
            default: writer.WriteStringValue(row.Format(value)); break;
        }
    }

    static IParameterDomain ReadDomain(Hyperparameter row, JsonElement element)
    {
        var log = element.TryGetProperty("log", out var l) && l.ValueKind == JsonValueKind.True;
        var values = element.TryGetProperty("values", out var v) && v.ValueKind == JsonValueKind.Array
            ? v.EnumerateArray().Select(item => ReadValue(row, item)).ToList()
            : null;
        if (values is not null) return row.ListOf(values);
        if (!row.IsNumeric) throw new JsonException($"{row.Key}: a list is required");
        return row.RangeOf(ReadValue(row, element.GetProperty("min")), ReadValue(row, element.GetProperty("max")), log);
    }

    static object ReadValue(Hyperparameter row, JsonElement item) => item.ValueKind switch
    {
        JsonValueKind.Number when row.Kind == HyperparameterKind.Integer => item.GetInt32(),
        JsonValueKind.Number when row.Kind == HyperparameterKind.Real => item.GetDouble(),
        JsonValueKind.True or JsonValueKind.False when row.Kind == HyperparameterKind.Boolean => item.GetBoolean(),
        JsonValueKind.String when row.TryParse(item.GetString()!, out var value) => value,
        _ => throw new JsonException($"{row.Key}: cannot read {item.GetRawText()}"),
    };
}
