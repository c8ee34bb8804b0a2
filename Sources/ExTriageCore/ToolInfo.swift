/// The tool's name and version, recorded in every manifest and report.
public enum ToolInfo {
    public static let name = "extriage"
    public static let version = "0.1.0"
}
