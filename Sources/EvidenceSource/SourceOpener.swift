import ExTriageCore

/// Opens whatever `--source` names: a directory tree, or a disk image (raw/dd, E01 from its
/// first segment, VMDK or VHD where libtsk supports them), recognised by content.
public enum SourceOpener {
    /// - Parameters:
    ///   - volumeName: the volume name of a directory source.
    ///   - volumeMap: image volume renames, keyed by partition number or default name (`2` or `vol2`).
    public static func open(path: String, volumeName: String = "C", volumeMap: [String: String] = [:]) throws -> any EvidenceSource {
        let format = try SourceFormat.detect(path: path)
        if format == .directory {
            if !volumeMap.isEmpty {
                throw ExTriageError(.invalidArgument, "--volume-map applies to disk images; a directory source is one volume (use --volume-name)", path: path)
            }
            return try DirectorySource(path: path, volumeName: volumeName)
        }
        return try ImageSource(path: path, format: format, volumeMap: volumeMap)
    }
}
