// ossflow: Go's OSS SDK (github.com/aliyun/aliyun-oss-go-sdk, Debian's package), unchanged, against mockecs
// server as its endpoint (an IP: path-style requests): a disk image's upload (PutObject, then UploadFile's
// concurrent multipart upload), listing, download (DownloadFile's ranged parallel GETs), and OSS's errors.
// Prints one JSON line; tests/test_oss.py checks it. Arguments: endpoint, access key id, secret, other secret.
package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io/ioutil"
	"os"
	"path/filepath"

	"github.com/aliyun/aliyun-oss-go-sdk/oss"
)

func code(err error) interface{} {
	if e, ok := err.(oss.ServiceError); ok {
		return map[string]interface{}{"code": e.Code, "status": e.StatusCode, "requestId": e.RequestID}
	}
	if err == nil {
		return nil
	}
	return err.Error()
}

func main() {
	endpoint, key, secret, wrong := os.Args[1], os.Args[2], os.Args[3], os.Args[4]
	out := map[string]interface{}{}
	fail := func(what string, err error) {
		out["failed"] = what + ": " + err.Error()
		json.NewEncoder(os.Stdout).Encode(out)
		os.Exit(0)
	}
	client, err := oss.New(endpoint, key, secret)
	if err != nil {
		fail("New", err)
	}
	if err = client.CreateBucket("go-images"); err != nil {
		fail("CreateBucket", err)
	}
	bucket, _ := client.Bucket("go-images")
	data := make([]byte, 700*1024+17)
	for i := range data {
		data[i] = byte(i * 7)
	}
	if err = bucket.PutObject("small/disk.raw", bytes.NewReader(data), oss.Meta("build", "7")); err != nil {
		fail("PutObject", err) // (the SDK compared its CRC-64 with the answer's)
	}
	body, err := bucket.GetObject("small/disk.raw")
	if err != nil {
		fail("GetObject", err)
	}
	got, _ := ioutil.ReadAll(body)
	body.Close()
	out["getEqual"] = bytes.Equal(got, data)
	meta, err := bucket.GetObjectDetailedMeta("small/disk.raw")
	if err != nil {
		fail("GetObjectDetailedMeta", err)
	}
	out["meta"] = map[string]string{"length": meta.Get("Content-Length"), "etag": meta.Get("ETag"),
		"build": meta.Get("X-Oss-Meta-Build"), "crc": meta.Get("X-Oss-Hash-Crc64ecma")}
	part, err := bucket.GetObject("small/disk.raw", oss.Range(10, 19))
	if err != nil {
		fail("GetObject range", err)
	}
	ranged, _ := ioutil.ReadAll(part)
	part.Close()
	out["rangeEqual"] = bytes.Equal(ranged, data[10:20])

	dir, _ := ioutil.TempDir("", "ossflow")
	defer os.RemoveAll(dir)
	image := filepath.Join(dir, "disk.qcow2")
	ioutil.WriteFile(image, append(data, data...), 0600)
	if err = bucket.UploadFile("images/disk.qcow2", image, 200*1024, oss.Routines(3)); err != nil {
		fail("UploadFile", err)
	}
	back := filepath.Join(dir, "back.qcow2")
	if err = bucket.DownloadFile("images/disk.qcow2", back, 300*1024, oss.Routines(3)); err != nil {
		fail("DownloadFile", err)
	}
	downloaded, _ := ioutil.ReadFile(back)
	out["downloadEqual"] = bytes.Equal(downloaded, append(data, data...))
	listed, err := bucket.ListObjects(oss.Prefix("images/"))
	if err != nil {
		fail("ListObjects", err)
	}
	keys := []string{}
	for _, o := range listed.Objects {
		keys = append(keys, fmt.Sprintf("%s %d %s", o.Key, o.Size, o.Type))
	}
	out["listed"] = keys
	buckets, err := client.ListBuckets()
	if err != nil {
		fail("ListBuckets", err)
	}
	out["buckets"] = len(buckets.Buckets)

	// ACLs: the bucket's, an object's (x-oss-object-acl on PutObject, then SetObjectACL), GetBucketInfo's Grant;
	// ListBuckets paged by a prefix and max-keys.
	if err = client.SetBucketACL("go-images", oss.ACLPublicRead); err != nil {
		fail("SetBucketACL", err)
	}
	bucketACL, err := client.GetBucketACL("go-images")
	if err != nil {
		fail("GetBucketACL", err)
	}
	if err = bucket.PutObject("acl/private.txt", bytes.NewReader([]byte("p")), oss.ObjectACL(oss.ACLPrivate)); err != nil {
		fail("PutObject acl", err)
	}
	objectACL, err := bucket.GetObjectACL("acl/private.txt")
	if err != nil {
		fail("GetObjectACL", err)
	}
	if err = bucket.SetObjectACL("acl/private.txt", oss.ACLDefault); err != nil {
		fail("SetObjectACL", err)
	}
	defaultACL, _ := bucket.GetObjectACL("acl/private.txt")
	info, err := client.GetBucketInfo("go-images")
	if err != nil {
		fail("GetBucketInfo", err)
	}
	out["acls"] = []string{bucketACL.ACL, bucketACL.Owner.ID, objectACL.ACL, defaultACL.ACL, info.BucketInfo.ACL}
	out["badACL"] = code(client.SetBucketACL("go-images", oss.ACLType("world-writable")))
	client.CreateBucket("go-other")
	page, err := client.ListBuckets(oss.Prefix("go-"), oss.MaxKeys(1))
	if err != nil {
		fail("ListBuckets paged", err)
	}
	out["bucketPage"] = map[string]interface{}{"names": len(page.Buckets), "first": page.Buckets[0].Name,
		"truncated": page.IsTruncated, "next": page.NextMarker}
	client.DeleteBucket("go-other")
	bucket.DeleteObject("acl/private.txt")

	_, err = bucket.GetObject("missing.raw")
	out["missing"] = code(err)
	other, _ := oss.New(endpoint, key, wrong)
	otherBucket, _ := other.Bucket("go-images")
	_, err = otherBucket.GetObject("small/disk.raw")
	out["wrongSecret"] = code(err)
	out["notEmpty"] = code(client.DeleteBucket("go-images"))
	deleted, err := bucket.DeleteObjects([]string{"small/disk.raw", "images/disk.qcow2"})
	if err != nil {
		fail("DeleteObjects", err)
	}
	out["deleted"] = len(deleted.DeletedObjects)
	out["deleteBucket"] = code(client.DeleteBucket("go-images"))
	json.NewEncoder(os.Stdout).Encode(out)
}
