import ExTriageCore

/// Opens whatever `--source` names: a directory tree, or a disk image (raw/dd, E01 from its
/// first segment, VMDK or VHD where libtsk supports them), recognised by content.
public enum SourceOpener {
    /// - Parameters:
    ///   - volumeName: the volume name of a directory source.
    ///   - volumeMap: image volume renames, keyed by partition number or default name (`2` or `vol2`).
    ///   - shadowCopies: images: also open the Volume Shadow Copy stores of the NTFS volumes, as
    ///     volumes `<name>@vss<N>` (a directory source has none to open; the manifest says so).
    public static func open(path: String, volumeName: String = "C", volumeMap: [String: String] = [:],
                            shadowCopies: Bool = false) throws -> any EvidenceSource {
        let format = try SourceFormat.detect(path: path)
        if format == .directory {
            if !volumeMap.isEmpty {
                throw ExTriageError(.invalidArgument, "--volume-map applies to disk images; a directory source is one volume (use --volume-name)", path: path)
            }
            return try DirectorySource(path: path, volumeName: volumeName)
        }
        let image = try ImageSource(path: path, format: format, volumeMap: volumeMap)
        if shadowCopies { image.openShadowCopies() }
        return image
    }
}
