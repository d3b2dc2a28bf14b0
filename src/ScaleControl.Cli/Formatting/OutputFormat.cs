namespace ScaleControl.Cli.Formatting;

/// <summary>What <c>-o</c> asks for: a readable table (default), or the API's object as JSON or YAML.</summary>
internal enum OutputFormat
{
    Table,
    Json,
    Yaml,

    /// <summary>The table with extra columns (e.g. the reason in the history).</summary>
    Wide,
}
