"""What a reviewer expects of the shipped classifier on texts it has never seen.

Every text here was written for this test (none is in ``classify/corpus/``): the hard negatives
of DOMAIN.md — ceremonies, aid handed out, problems already fixed, crime and accident reports,
sport, events, promotions, questions, thanks — must not reach the queue as complaints, and
complaints about places outside the kabupaten must be flagged as not ours.
"""

from __future__ import annotations

import pytest

from classify.pipeline import classification, load_pipeline


@pytest.fixture(scope="module")
def classify():
    nlp = load_pipeline(region="35.13")
    return lambda text: classification(nlp(text))


HARD_NEGATIVES = {
    "ceremony": "Wakil Bupati Probolinggo membuka Musrenbang tingkat Kecamatan Krejengan di pendopo kecamatan, "
                "Rabu pagi, dihadiri kepala desa dan tokoh masyarakat.",
    "aid handed out": "Dinas Sosial menyalurkan 250 paket sembako kepada lansia dan penyandang disabilitas di Desa "
                      "Tegalsono, Kecamatan Tegalsiwalan. Penyaluran berjalan tertib dan lancar.",
    "fixed": "Alhamdulillah jalan di Desa Karanggeger Pajarakan sekarang sudah mulus, dulu bolong2 sekarang sudah "
             "diaspal. Makasih pak kades 🙏",
    "crime": "Polres Probolinggo menangkap dua pelaku pencurian sepeda motor di Kecamatan Gending. Barang bukti "
             "berupa tiga unit motor diamankan di mapolres.",
    "accident": "Sebuah truk bermuatan kayu terguling di jalur Tongas usai menghindari pengendara motor. Sopir "
                "mengalami luka ringan dan sudah dibawa ke puskesmas terdekat.",
    "sport": "Persipro kalah tipis 1-2 dari tim tamu dalam laga lanjutan Liga 4 di stadion, Minggu sore. Pelatih "
             "mengaku puas dengan semangat pemain muda.",
    "event": "Festival Kuliner Nusantara digelar selama tiga hari di alun-alun Kraksaan mulai Jumat malam. Ada "
             "lomba masak, panggung musik dan bazar UMKM.",
    "promotion": "Promo akhir tahun! Paket wisata jeep Bromo sunrise mulai 600rb per jeep, sudah termasuk "
                 "penjemputan dari Sukapura. Hubungi admin untuk booking.",
    "question": "Min, mau tanya jadwal pelayanan perekaman KTP-el di kantor kecamatan Besuk hari Sabtu buka "
                "nggak ya? Terima kasih infonya.",
    "thanks": "Terima kasih petugas Puskesmas Maron yang sigap melayani ibu saya tengah malam. Pelayanannya ramah "
              "dan cepat, sukses selalu.",
}


@pytest.mark.parametrize("kind", sorted(HARD_NEGATIVES))
def test_hard_negatives_are_not_complaints(classify, kind):
    result = classify(HARD_NEGATIVES[kind])
    assert result["is_complaint"] is False, (kind, result["complaint_score"])
    assert result["category"] is None and result["opd"] is None


COMPLAINTS = [
    ("Sudah tiga minggu sampah di TPS dekat pasar Gending tidak diangkut, baunya sampai ke rumah warga. "
     "Tolong DLH segera turun.", "lingkungan", "Gending"),
    ("Warga Desa Sumberbulu, Kecamatan Tegalsiwalan, mengeluhkan air PDAM yang keruh dan hanya mengalir "
     "tengah malam sejak awal bulan.", "air_bersih", "Tegalsiwalan"),
    ("Anak saya sudah 2 bulan daftar akta kelahiran di Dispendukcapil Kraksaan belum jadi2, tiap ditanya "
     "katanya blangko habis.", "kependudukan", "Kraksaan"),
    ("pupuk subsidi di kios Krucil kosong terus pas musim tanam, petani terpaksa beli non subsidi harga dua "
     "kali lipat", "pertanian", "Krucil"),
]


@pytest.mark.parametrize("text, category, kecamatan", COMPLAINTS)
def test_complaints_get_category_place_and_opd(classify, text, category, kecamatan):
    result = classify(text)
    assert result["is_complaint"] is True, result["complaint_score"]
    assert result["category"] == category
    assert result["kecamatan"] == kecamatan and result["in_jurisdiction"] is True
    assert result["opd"]


OUTSIDE = [
    "Jalan di Kelurahan Kedopok, Kota Probolinggo, berlubang besar dan sudah memakan korban, warga minta "
    "Pemkot segera memperbaiki.",
    "Lampu jalan di Kecamatan Klakah, Kabupaten Lumajang, mati sejak sebulan, pengendara waswas lewat malam.",
    "pdam di wonoasih mati 2 hari ga ada pemberitahuan sama sekali, warga kota probolinggo kecewa",
    "Warga Grati Pasuruan keluhkan bau limbah pabrik tahu yang dibuang ke sungai.",
]


@pytest.mark.parametrize("text", OUTSIDE)
def test_complaints_from_elsewhere_are_flagged_not_ours(classify, text):
    result = classify(text)
    assert result["is_complaint"] is True
    assert result["in_jurisdiction"] is False and result["kecamatan"] is None


def test_place_names_alone_do_not_make_a_complaint(classify):
    score_plain = classify("Warga mengikuti senam pagi bersama di lapangan desa.")["complaint_score"]
    score_named = classify("Warga Kraksaan, Paiton dan Dringu mengikuti senam pagi bersama di lapangan desa.")[
        "complaint_score"]
    assert abs(score_named - score_plain) < 0.02
