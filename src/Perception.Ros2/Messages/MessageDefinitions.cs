namespace Perception.Ros2.Messages;

/// <summary>
/// The .msg text of every type this SDK speaks, keyed <c>pkg/Type</c>, with field order = wire order (ros2/common_interfaces
/// humble and jazzy, ros-perception/vision_msgs 4.x, ros-drivers/ackermann_msgs). Comments are left out; constants and
/// defaults are kept because they are part of the definition a reader parses. Dependencies are found in the text,
/// the way rosbag2 finds them, so the table is the single source of each schema.
/// </summary>
internal static class MessageDefinitions
{
    public static readonly IReadOnlyDictionary<string, string> Texts = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["builtin_interfaces/Time"] = "int32 sec\nuint32 nanosec\n",
        ["builtin_interfaces/Duration"] = "int32 sec\nuint32 nanosec\n",
        ["std_msgs/Header"] = "builtin_interfaces/Time stamp\nstring frame_id\n",
        ["std_msgs/ColorRGBA"] = "float32 r\nfloat32 g\nfloat32 b\nfloat32 a\n",
        ["geometry_msgs/Point"] = "float64 x\nfloat64 y\nfloat64 z\n",
        ["geometry_msgs/Vector3"] = "float64 x\nfloat64 y\nfloat64 z\n",
        ["geometry_msgs/Quaternion"] = "float64 x 0\nfloat64 y 0\nfloat64 z 0\nfloat64 w 1\n",
        ["geometry_msgs/Pose"] = "Point position\nQuaternion orientation\n",
        ["geometry_msgs/PoseWithCovariance"] = "Pose pose\nfloat64[36] covariance\n",
        ["geometry_msgs/Twist"] = "Vector3  linear\nVector3  angular\n",
        ["geometry_msgs/TwistStamped"] = "std_msgs/Header header\nTwist twist\n",
        ["sensor_msgs/PointField"] =
            "uint8 INT8    = 1\nuint8 UINT8   = 2\nuint8 INT16   = 3\nuint8 UINT16  = 4\n" +
            "uint8 INT32   = 5\nuint8 UINT32  = 6\nuint8 FLOAT32 = 7\nuint8 FLOAT64 = 8\n\n" +
            "string name\nuint32 offset\nuint8  datatype\nuint32 count\n",
        ["sensor_msgs/PointCloud2"] =
            "std_msgs/Header header\n\nuint32 height\nuint32 width\n\nPointField[] fields\n\n" +
            "bool    is_bigendian\nuint32  point_step\nuint32  row_step\nuint8[] data\n\nbool is_dense\n",
        ["sensor_msgs/CompressedImage"] = "std_msgs/Header header\nstring format\nuint8[] data\n",
        ["vision_msgs/ObjectHypothesis"] = "string class_id\nfloat64 score\n",
        ["vision_msgs/ObjectHypothesisWithPose"] = "ObjectHypothesis hypothesis\ngeometry_msgs/PoseWithCovariance pose\n",
        ["vision_msgs/BoundingBox3D"] = "geometry_msgs/Pose center\ngeometry_msgs/Vector3 size\n",
        ["vision_msgs/Detection3D"] =
            "std_msgs/Header header\nObjectHypothesisWithPose[] results\nBoundingBox3D bbox\nstring id\n",
        ["vision_msgs/Detection3DArray"] = "std_msgs/Header header\nDetection3D[] detections\n",
        ["visualization_msgs/UVCoordinate"] = "float32 u\nfloat32 v\n",
        ["visualization_msgs/MeshFile"] = "string filename\nuint8[] data\n",
        ["visualization_msgs/Marker"] =
            "int32 ARROW=0\nint32 CUBE=1\nint32 SPHERE=2\nint32 CYLINDER=3\nint32 LINE_STRIP=4\nint32 LINE_LIST=5\n" +
            "int32 CUBE_LIST=6\nint32 SPHERE_LIST=7\nint32 POINTS=8\nint32 TEXT_VIEW_FACING=9\nint32 MESH_RESOURCE=10\n" +
            "int32 TRIANGLE_LIST=11\n\nint32 ADD=0\nint32 MODIFY=0\nint32 DELETE=2\nint32 DELETEALL=3\n\n" +
            "std_msgs/Header header\nstring ns\nint32 id\nint32 type\nint32 action\ngeometry_msgs/Pose pose\n" +
            "geometry_msgs/Vector3 scale\nstd_msgs/ColorRGBA color\nbuiltin_interfaces/Duration lifetime\n" +
            "bool frame_locked\ngeometry_msgs/Point[] points\nstd_msgs/ColorRGBA[] colors\nstring texture_resource\n" +
            "sensor_msgs/CompressedImage texture\nUVCoordinate[] uv_coordinates\nstring text\nstring mesh_resource\n" +
            "MeshFile mesh_file\nbool mesh_use_embedded_materials\n",
        ["visualization_msgs/MarkerArray"] = "Marker[] markers\n",
        ["ackermann_msgs/AckermannDrive"] =
            "float32 steering_angle\nfloat32 steering_angle_velocity\nfloat32 speed\nfloat32 acceleration\nfloat32 jerk\n",
        ["ackermann_msgs/AckermannDriveStamped"] = "std_msgs/Header header\nAckermannDrive drive\n",
        ["diagnostic_msgs/KeyValue"] = "string key\nstring value\n",
        ["diagnostic_msgs/DiagnosticStatus"] =
            "byte OK=0\nbyte WARN=1\nbyte ERROR=2\nbyte STALE=3\n\n" +
            "byte level\nstring name\nstring message\nstring hardware_id\nKeyValue[] values\n",
        ["diagnostic_msgs/DiagnosticArray"] = "std_msgs/Header header\nDiagnosticStatus[] status\n",
    };
}
