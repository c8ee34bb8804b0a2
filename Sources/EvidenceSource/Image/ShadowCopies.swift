#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CForensics
import ExTriageCore

/// Which volume a shadow-copy volume is a snapshot of, which store, and when it was taken.
public struct ShadowCopyInfo: Sendable, Hashable {
    /// The live volume's name (`C`).
    public var of: String
    /// The store's number on that volume, from 1 in libvshadow's (catalog) order, oldest first.
    public var store: Int
    /// The store identifier (a GUID, the name of its file in `System Volume Information`).
    public var identifier: String
    /// When the shadow copy was taken (UTC).
    public var created: Timestamp?
    /// The size of the volume as it was snapshotted.
    public var volumeSize: UInt64

    public init(of: String, store: Int, identifier: String, created: Timestamp?, volumeSize: UInt64) {
        self.of = of
        self.store = store
        self.identifier = identifier
        self.created = created
        self.volumeSize = volumeSize
    }

    /// The name the store's file system gets as a volume: `C@vss1`.
    public static func volumeName(of volume: String, store: Int) -> String { "\(volume)@vss\(store)" }
}

/// What `--shadow-copies` did for a source, for the manifest.
public struct ShadowCopyReport: Sendable, Equatable {
    public enum Status: String, Sendable {
        /// An image collected without `--shadow-copies`.
        case notRequested = "not requested"
        /// A directory source: its shadow copies are not visible as files.
        case notApplicable = "not applicable"
        /// Every NTFS volume of the image was searched; `stores` were opened.
        case read
    }

    public var status: Status
    /// Stores opened as volumes.
    public var stores = 0
    /// Volumes or stores that could not be read, each naming which and why.
    public var failures: [String] = []

    public init(status: Status) { self.status = status }
}

extension ImageSource {
    /// `--shadow-copies`: opens the Volume Shadow Copy stores of every NTFS volume through
    /// libvshadow and adds each store's file system as a volume `<volume>@vss<N>`. A volume
    /// without VSS data adds nothing; a catalog or store that cannot be read is a recorded
    /// failure naming it, never an error for the whole source.
    public func openShadowCopies() {
        lock.locked {
            var report = ShadowCopyReport(status: .read)
            for live in volumes where live.shadowCopy == nil {
                guard let fileSystem = fileSystems[live.name], fileSystem.isNTFS else { continue }
                do {
                    guard let shadowVolume = try ShadowVolume(fileSystem: fileSystem, size: live.size) else { continue }
                    for index in 0..<shadowVolume.storeCount {
                        let number = index + 1
                        do {
                            let media = try ShadowStoreMedia(volume: shadowVolume, index: index)
                            guard let bridge = TSKImageBridge(media: media) else {
                                throw ExTriageError(.io, "The Sleuth Kit could not open the store", cause: TSKError.last())
                            }
                            guard let opened = tsk_fs_open_img(bridge.image, 0, TSK_FS_TYPE_NTFS_DETECT) else {
                                throw ExTriageError(.io, "the store holds no NTFS file system The Sleuth Kit can read", cause: TSKError.last())
                            }
                            var info = VolumeInfo(name: ShadowCopyInfo.volumeName(of: live.name, store: number), fileSystem: live.fileSystem,
                                                  label: live.label)
                            info.number = live.number
                            info.offset = live.offset
                            info.size = media.size
                            info.partitionDescription = live.partitionDescription
                            info.shadowCopy = ShadowCopyInfo(of: live.name, store: number, identifier: media.identifier,
                                                             created: media.created, volumeSize: media.size)
                            shadowImages.append(bridge)
                            fileSystems[info.name] = TSKFileSystem(opened)
                            volumes.append(info)
                            report.stores += 1
                        } catch {
                            report.failures.append("\(live.name) shadow copy store \(number): \(error)")
                        }
                    }
                } catch {
                    report.failures.append("\(live.name) shadow copies: \(error)")
                }
            }
            shadowCopies = report
        }
    }
}

/// The VSS data of one volume, opened through libvshadow over a libbfio handle whose reads go to
/// The Sleuth Kit's image at the volume's offset (so raw, E01, VMDK and VHD all work). Callers
/// hold the source's lock.
final class ShadowVolume {
    typealias VSSError = UnsafeMutablePointer<libvshadow_error_t>
    private var handle: UnsafeMutablePointer<libvshadow_volume_t>?
    private var bfio: UnsafeMutablePointer<libbfio_handle_t>?
    private let reader: Unmanaged<VolumeReader>
    let storeCount: Int

    /// Nil when the volume carries no VSS volume header (no shadow copies); throws when it does
    /// but the catalog cannot be read.
    init?(fileSystem: TSKFileSystem, size: UInt64?) throws {
        let image = fileSystem.handle.pointee.img_info!
        let offset = UInt64(max(0, fileSystem.handle.pointee.offset))
        let volumeSize = size ?? UInt64(max(0, image.pointee.size)) - offset
        reader = Unmanaged.passRetained(VolumeReader(image: image, offset: offset, size: volumeSize))
        var bfioError: UnsafeMutablePointer<libbfio_error_t>?
        guard libbfio_handle_initialize(&bfio, UnsafeMutablePointer(OpaquePointer(reader.toOpaque())),
                                        bfioFree, bfioClone, bfioOpen, bfioClose, bfioRead, bfioWrite, bfioSeek,
                                        bfioExists, bfioIsOpen, bfioSize, 0,  // LIBBFIO_FLAG_IO_HANDLE_NON_MANAGED
                                        &bfioError) == 1 else {
            libbfio_error_free(&bfioError)
            reader.release()
            throw ExTriageError(.io, "libbfio could not start")
        }
        var error: VSSError?
        let signature = libvshadow_check_volume_signature_file_io_handle(bfio, &error)
        if signature != 1 {
            let cause = signature < 0 ? ShadowVolume.message(&error) : nil
            libbfio_handle_free(&bfio, nil)
            reader.release()
            if let cause { throw ExTriageError(.io, "the VSS volume header cannot be read", cause: cause) }
            return nil
        }
        guard libvshadow_volume_initialize(&handle, &error) == 1,
              libvshadow_volume_open_file_io_handle(handle, bfio, libvshadow_get_access_flags_read(), &error) == 1 else {
            let cause = ShadowVolume.message(&error)
            if handle != nil { libvshadow_volume_free(&handle, nil) }
            libbfio_handle_free(&bfio, nil)
            reader.release()
            throw ExTriageError(.io, "libvshadow cannot read the shadow-copy catalog", cause: cause)
        }
        var count: Int32 = 0
        if libvshadow_volume_get_number_of_stores(handle, &count, &error) != 1 {
            let cause = ShadowVolume.message(&error)
            libvshadow_volume_close(handle, nil)
            libvshadow_volume_free(&handle, nil)
            libbfio_handle_free(&bfio, nil)
            reader.release()
            throw ExTriageError(.io, "libvshadow cannot count the stores", cause: cause)
        }
        storeCount = Int(max(0, count))
    }

    deinit {
        libvshadow_volume_close(handle, nil)
        libvshadow_volume_free(&handle, nil)
        libbfio_handle_free(&bfio, nil)
        reader.release()
    }

    func store(_ index: Int) throws -> UnsafeMutablePointer<libvshadow_store_t> {
        var store: UnsafeMutablePointer<libvshadow_store_t>?
        var error: VSSError?
        guard libvshadow_volume_get_store(handle, Int32(index), &store, &error) == 1, let store else {
            throw ExTriageError(.io, "libvshadow cannot open the store", cause: ShadowVolume.message(&error))
        }
        return store
    }

    /// libvshadow's error text (first line), freeing the error.
    static func message(_ error: inout VSSError?) -> String {
        guard error != nil else { return "unknown error" }
        var buffer = [CChar](repeating: 0, count: 1024)
        _ = libvshadow_error_sprint(error, &buffer, buffer.count)
        libvshadow_error_free(&error)
        let text = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return text.split(separator: "\n").first.map(String.init) ?? "unknown error"
    }
}

/// One store as a flat medium: the volume as it was when the shadow copy was taken.
final class ShadowStoreMedia: ImageMedia {
    private let volume: ShadowVolume
    private var store: UnsafeMutablePointer<libvshadow_store_t>?
    let size: UInt64
    let sectorSize = 512
    var files: [String] { [] }
    let identifier: String
    let created: Timestamp?

    init(volume: ShadowVolume, index: Int) throws {
        self.volume = volume
        var opened: UnsafeMutablePointer<libvshadow_store_t>? = try volume.store(index)
        let store = opened!
        var error: ShadowVolume.VSSError?
        var volumeSize: UInt64 = 0
        guard libvshadow_store_get_volume_size(store, &volumeSize, &error) == 1, volumeSize > 0 else {
            let cause = error == nil ? "the store's volume size is 0" : ShadowVolume.message(&error)
            libvshadow_store_free(&opened, nil)
            throw ExTriageError(.io, "libvshadow cannot read the store's volume size", cause: cause)
        }
        self.store = store
        size = volumeSize
        var guid = [UInt8](repeating: 0, count: 16)
        identifier = libvshadow_store_get_identifier(store, &guid, 16, nil) == 1 ? ShadowStoreMedia.guidText(guid) : "?"
        var filetime: UInt64 = 0
        created = libvshadow_store_get_creation_time(store, &filetime, nil) == 1 && filetime > 0
            ? ShadowStoreMedia.timestamp(filetime: filetime) : nil
    }

    deinit { libvshadow_store_free(&store, nil) }

    func read(at offset: UInt64, into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        guard let base = buffer.baseAddress, offset < size else { return 0 }
        let length = Int(min(UInt64(buffer.count), size - offset))
        var error: ShadowVolume.VSSError?
        let count = libvshadow_store_read_buffer_at_offset(store, base, length, off64_t(offset), &error)
        guard count >= 0 else {
            throw MediaReadError(offset: offset, length: UInt64(length), cause: "shadow copy store: " + ShadowVolume.message(&error))
        }
        return count
    }

    /// A GUID as Windows writes it (the first three fields little-endian).
    static func guidText(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        func hex(_ slice: [UInt8]) -> String {
            String(decoding: slice.flatMap { [digits[Int($0 >> 4)], digits[Int($0 & 0x0F)]] }, as: UTF8.self)
        }
        return [hex(Array(bytes[0..<4].reversed())), hex(Array(bytes[4..<6].reversed())), hex(Array(bytes[6..<8].reversed())),
                hex(Array(bytes[8..<10])), hex(Array(bytes[10..<16]))].joined(separator: "-")
    }

    static func timestamp(filetime: UInt64) -> Timestamp {
        let seconds = Int64(filetime / 10_000_000) - 11_644_473_600
        return Timestamp(seconds: seconds, nanoseconds: Int32(filetime % 10_000_000) * 100)
    }
}

/// The volume's bytes for libbfio: reads through the TSK image at the volume's offset.
private final class VolumeReader {
    let image: UnsafeMutablePointer<TSK_IMG_INFO>
    let offset: UInt64
    let size: UInt64
    var position: Int64 = 0

    init(image: UnsafeMutablePointer<TSK_IMG_INFO>, offset: UInt64, size: UInt64) {
        self.image = image
        self.offset = offset
        self.size = size
    }

    static func of(_ handle: UnsafeMutablePointer<Int>?) -> VolumeReader? {
        handle.map { Unmanaged<VolumeReader>.fromOpaque(UnsafeRawPointer($0)).takeUnretainedValue() }
    }
}

// libbfio callbacks. The handle is not managed by libbfio (ShadowVolume releases the reader), and
// libvshadow does not clone it; a clone request fails rather than share a position.
private func bfioFree(_ handle: UnsafeMutablePointer<UnsafeMutablePointer<Int>?>?, _ error: UnsafeMutablePointer<UnsafeMutablePointer<libbfio_error_t>?>?) -> Int32 { 1 }
private func bfioClone(_ target: UnsafeMutablePointer<UnsafeMutablePointer<Int>?>?, _ source: UnsafeMutablePointer<Int>?,
                       _ error: UnsafeMutablePointer<UnsafeMutablePointer<libbfio_error_t>?>?) -> Int32 { -1 }
private func bfioOpen(_ handle: UnsafeMutablePointer<Int>?, _ flags: Int32, _ error: UnsafeMutablePointer<UnsafeMutablePointer<libbfio_error_t>?>?) -> Int32 { 1 }
private func bfioClose(_ handle: UnsafeMutablePointer<Int>?, _ error: UnsafeMutablePointer<UnsafeMutablePointer<libbfio_error_t>?>?) -> Int32 { 0 }
private func bfioExists(_ handle: UnsafeMutablePointer<Int>?, _ error: UnsafeMutablePointer<UnsafeMutablePointer<libbfio_error_t>?>?) -> Int32 { 1 }
private func bfioIsOpen(_ handle: UnsafeMutablePointer<Int>?, _ error: UnsafeMutablePointer<UnsafeMutablePointer<libbfio_error_t>?>?) -> Int32 { 1 }
private func bfioWrite(_ handle: UnsafeMutablePointer<Int>?, _ buffer: UnsafePointer<UInt8>?, _ size: Int,
                       _ error: UnsafeMutablePointer<UnsafeMutablePointer<libbfio_error_t>?>?) -> Int { -1 }

private func bfioSize(_ handle: UnsafeMutablePointer<Int>?, _ size: UnsafeMutablePointer<UInt64>?,
                      _ error: UnsafeMutablePointer<UnsafeMutablePointer<libbfio_error_t>?>?) -> Int32 {
    guard let reader = VolumeReader.of(handle), let size else { return -1 }
    size.pointee = reader.size
    return 1
}

private func bfioSeek(_ handle: UnsafeMutablePointer<Int>?, _ offset: Int64, _ whence: Int32,
                      _ error: UnsafeMutablePointer<UnsafeMutablePointer<libbfio_error_t>?>?) -> Int64 {
    guard let reader = VolumeReader.of(handle) else { return -1 }
    let target: Int64
    switch whence {
    case SEEK_SET: target = offset
    case SEEK_CUR: target = reader.position + offset
    case SEEK_END: target = Int64(reader.size) + offset
    default: return -1
    }
    guard target >= 0 else { return -1 }
    reader.position = target
    return target
}

private func bfioRead(_ handle: UnsafeMutablePointer<Int>?, _ buffer: UnsafeMutablePointer<UInt8>?, _ size: Int,
                      _ error: UnsafeMutablePointer<UnsafeMutablePointer<libbfio_error_t>?>?) -> Int {
    guard let reader = VolumeReader.of(handle), let buffer, reader.position >= 0 else { return -1 }
    let position = UInt64(reader.position)
    guard position < reader.size else { return 0 }
    let length = Int(min(UInt64(size), reader.size - position))
    let count = buffer.withMemoryRebound(to: CChar.self, capacity: length) { pointer in
        tsk_img_read(reader.image, TSK_OFF_T(reader.offset + position), pointer, length)
    }
    if count < 0 {
        tsk_error_reset()
        return -1
    }
    reader.position += Int64(count)
    return count
}
