"""Near-duplicate detection: syndicated copies link up, different stories stay apart."""

from pipelines.dedupe import (
    DEFAULT_THRESHOLD, NearDuplicateIndex, content_hash, from_bytes, signature, to_bytes,
)

ORIGINAL = """Warga Desa Tegalwatu, Kecamatan Tiris, mengeluhkan kondisi jalan poros desa yang rusak parah sejak awal musim hujan. Lubang-lubang besar di badan jalan sepanjang kurang lebih dua kilometer itu kini dipenuhi genangan air dan lumpur.

Menurut Samsul, salah seorang warga, kerusakan jalan sudah berlangsung hampir tiga tahun tanpa perbaikan berarti. Ia mengatakan warga pernah menimbun lubang dengan batu dan sirtu secara swadaya, namun timbunan itu kembali hanyut setiap kali hujan deras turun.

Kondisi tersebut membuat aktivitas warga terganggu. Anak-anak yang berangkat ke sekolah harus berjalan kaki melewati pinggir sawah, sementara petani kesulitan mengangkut hasil panen kopi dan sayur ke pasar kecamatan. Beberapa pengendara sepeda motor dilaporkan terjatuh saat melintas pada malam hari karena tidak ada penerangan jalan.

Kepala Desa Tegalwatu membenarkan keluhan tersebut dan menyebut pihaknya sudah mengusulkan perbaikan melalui musyawarah perencanaan pembangunan tingkat kecamatan. Namun hingga kini usulan itu belum masuk daftar prioritas anggaran kabupaten.

Warga berharap Dinas Pekerjaan Umum dan Penataan Ruang segera meninjau lokasi dan menganggarkan perbaikan tahun depan, sebelum kerusakan semakin meluas dan memakan korban."""

# The same story as another outlet runs it: new lead sentence, a trimmed paragraph, light edits.
SYNDICATED = """Keluhan datang dari warga Desa Tegalwatu, Kecamatan Tiris, Kabupaten Probolinggo. Mereka mengeluhkan kondisi jalan poros desa yang rusak parah sejak awal musim hujan. Lubang-lubang besar di badan jalan sepanjang kurang lebih dua kilometer itu kini dipenuhi genangan air dan lumpur.

Menurut Samsul, salah seorang warga, kerusakan jalan sudah berlangsung hampir tiga tahun tanpa perbaikan berarti. Ia mengatakan warga pernah menimbun lubang dengan batu dan sirtu secara swadaya, namun timbunan itu kembali hanyut setiap kali hujan deras turun.

Kondisi tersebut membuat aktivitas warga terganggu. Anak-anak yang berangkat ke sekolah harus berjalan kaki melewati pinggir sawah, sementara para petani kesulitan mengangkut hasil panen kopi dan sayur ke pasar kecamatan.

Kepala Desa Tegalwatu membenarkan keluhan tersebut dan menyebut pihaknya sudah mengusulkan perbaikan melalui musyawarah perencanaan pembangunan tingkat kecamatan. Namun hingga kini usulan itu belum masuk daftar prioritas anggaran kabupaten.

Warga berharap Dinas PUPR segera meninjau lokasi dan menganggarkan perbaikan tahun depan, sebelum kerusakan semakin meluas dan memakan korban."""

# A different complaint on the same topic, in the same kabupaten, in the same news style.
OTHER_ROAD_STORY = """Warga Desa Andungbiru, Kecamatan Tiris, mengeluhkan jembatan penghubung antardusun yang ambrol setelah diterjang banjir bandang pekan lalu. Akibatnya warga harus memutar sejauh enam kilometer untuk menuju kantor desa dan puskesmas pembantu.

Menurut Rohim, tokoh masyarakat setempat, jembatan kayu itu dibangun secara gotong royong lima tahun lalu dan belum pernah mendapat bantuan dari pemerintah kabupaten. Ia meminta Badan Penanggulangan Bencana Daerah membangun jembatan darurat agar anak-anak bisa kembali bersekolah.

Camat Tiris mengatakan pihaknya telah melaporkan kerusakan tersebut kepada Dinas Pekerjaan Umum dan Penataan Ruang serta BPBD. Petugas dijadwalkan meninjau lokasi pada akhir pekan ini untuk menghitung kebutuhan material.

Sementara itu, warga memasang tali dan bambu seadanya di sisi sungai sebagai pegangan darurat. Mereka khawatir arus sungai kembali deras apabila hujan turun di kawasan lereng Gunung Argopuro."""


def similarity(a: str, b: str) -> float:
    return signature(a).jaccard(signature(b))


def test_syndicated_copy_is_above_the_threshold_and_a_different_story_is_below():
    assert similarity(ORIGINAL, SYNDICATED) >= DEFAULT_THRESHOLD
    assert similarity(ORIGINAL, OTHER_ROAD_STORY) < 0.2


def test_index_links_the_copy_to_the_first_story_only():
    index = NearDuplicateIndex(DEFAULT_THRESHOLD)
    index.add(content_hash(ORIGINAL), signature(ORIGINAL))
    match = index.best_match(signature(SYNDICATED))
    assert match is not None and match[0] == content_hash(ORIGINAL)
    assert index.best_match(signature(OTHER_ROAD_STORY)) is None


def test_a_higher_threshold_keeps_the_copy_apart():
    index = NearDuplicateIndex(0.97)
    index.add(content_hash(ORIGINAL), signature(ORIGINAL))
    assert index.best_match(signature(SYNDICATED)) is None


def test_content_hash_ignores_case_and_whitespace_only():
    assert content_hash("Jalan  rusak\n\ndi Tiris") == content_hash("jalan rusak di tiris")
    assert content_hash("Jalan rusak di Tiris") != content_hash("Jalan rusak di Krucil")


def test_signature_survives_storage_round_trip():
    original = signature(ORIGINAL)
    restored = from_bytes(to_bytes(original))
    assert restored.jaccard(original) == 1.0
    assert signature("terlalu pendek") is None
